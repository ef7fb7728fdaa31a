"""The web view (like the SI DMP web access): patients, documents with status and
confidentiality, the rendered document, and the access trace. Server-rendered HTML."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from dmpkit.simulator.storage import DocumentRecord

if TYPE_CHECKING:
    from dmpkit.simulator.app import Simulator

__all__ = ["PREFIX", "render"]

PREFIX = "/si-dmp-server/web"
_STYLE = ("body{font-family:sans-serif;margin:2em;background:#fff;color:#123}"
          "table{border-collapse:collapse}td,th{border:1px solid #889;padding:4px 8px}"
          "th{background:#dde6f0}.status{font-weight:bold}pre{background:#f4f4f4;padding:1em}")


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>{escape(title)}"
            f"</title><style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>{body}"
            "</body></html>")


def _status(value: str) -> str:
    return value.rsplit(":", 1)[-1]


def _row(cells: list[str], tag: str = "td", css: str = "") -> str:
    klass = f" class='{css}'" if css else ""
    return f"<tr{klass}>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>"


def _documents(documents: list[DocumentRecord]) -> str:
    rows = [_row(["Titre", "Classe", "Type", "Statut", "Confidentialité", "Version", "Auteur",
                  "uniqueId"], "th")]
    for document in documents:
        link = f"<a href='{PREFIX}/documents/{escape(document.entry_uuid)}'>" \
               f"{escape(document.title)}</a>"
        rows.append(_row([link, escape(document.class_code), escape(document.type_code),
                          f"<span class='status'>{_status(document.status)}</span>",
                          escape(", ".join(document.confidentiality)), str(document.version),
                          escape(document.author), escape(document.unique_id)], css="document"))
    return "<table id='documents'>" + "".join(rows) + "</table>"


def render(simulator: Simulator, path: str) -> tuple[int, str]:
    """The page at ``path`` (below :data:`PREFIX`) as ``(status, html)``."""
    storage = simulator.storage
    parts = [p for p in path.split("/") if p]
    if not parts:
        rows = [_row(["INS", "Nom", "Statut du DMP", "Documents"], "th")]
        for patient in storage.patients():
            link = f"<a href='{PREFIX}/patients/{escape(patient.ins)}'>{escape(patient.ins)}</a>"
            rows.append(_row([link, escape(f"{patient.family} {patient.given}"),
                              patient.status.value, str(len(storage.documents(patient.ins)))]))
        return 200, _page("SI DMP local — patients", "<table>" + "".join(rows) + "</table>")
    if parts[0] == "patients" and len(parts) == 2:
        found = storage.patient(parts[1])
        if found is None:
            return 404, _page("DMP inconnu", "<p>Aucun DMP pour cet INS.</p>")
        patient = found
        traces = [_row(["Date", "Professionnel", "Structure", "Rôle", "Mode d'accès",
                        "Transaction", "Résultat"], "th")]
        for trace in storage.traces(patient.ins, limit=100):
            traces.append(_row([escape(trace.at), escape(trace.professional),
                                escape(trace.structure), escape(trace.role),
                                escape(trace.access_mode), escape(trace.transaction),
                                escape(trace.outcome)], css="trace"))
        summary = (f"<p id='patient'>{escape(patient.family)} {escape(patient.given)} — DMP "
                   f"{patient.status.value}"
                   + (f" ({escape(patient.closure_reason)})" if patient.closure_reason else "")
                   + "</p>")
        body = (summary + "<h2>Documents</h2>" + _documents(storage.documents(patient.ins))
                + "<h2>Traces d'accès</h2><table id='traces'>" + "".join(traces) + "</table>")
        return 200, _page(f"DMP {patient.ins}", body)
    if parts[0] == "documents" and len(parts) == 2:
        document = storage.document(parts[1])
        if document is None:
            return 404, _page("Document inconnu", "<p>Aucun document.</p>")
        content = storage.content(document.unique_id) or b""
        text = content.decode("utf-8", errors="replace")
        body = (f"<p>Statut : <span class='status'>{_status(document.status)}</span> — "
                f"confidentialité : {escape(', '.join(document.confidentiality))}</p>"
                f"<pre id='content'>{escape(text)}</pre>")
        return 200, _page(document.title, body)
    return 404, _page("Page inconnue", "<p>Rien ici.</p>")
