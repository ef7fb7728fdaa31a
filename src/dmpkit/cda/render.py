"""Render a CDA document to HTML with the project's own Jinja2 template.

What is shown follows the ANS display stylesheets: the header (title, type, patient and
identifiers, authors, legal authenticator, custodian, dates, confidentiality, replaced
document), then the body: the embedded file of an N1 document (PDF in an ``<object>``
from a ``data:`` URL, image, text) or the sections of a structured body. Narrative blocks
are converted element by element from a fixed list (paragraph, list, table, content...);
anything else keeps only its text, escaped, so no script or unknown markup gets through
(EX_2.1-1115). The page's Content-Security-Policy forbids scripts and remote loads.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from lxml import etree
from markupsafe import Markup, escape

from dmpkit.xmlparse import parse_xml

__all__ = ["render_html"]

_C = "{urn:hl7-org:v3}"
_TEMPLATES = Path(__file__).resolve().parent / "templates"
# Narrative element → HTML element; every other element is reduced to its escaped text.
_NARRATIVE_TAGS = {
    "paragraph": "p", "item": "li", "table": "table", "thead": "thead", "tbody": "tbody",
    "tfoot": "tfoot", "tr": "tr", "th": "th", "td": "td", "caption": "caption",
    "content": "span", "sub": "sub", "sup": "sup", "br": "br", "col": "col",
    "colgroup": "colgroup",
}
_CELL_ATTRIBUTES = ("colspan", "rowspan")
_CONFIDENTIALITY = {"N": "Normal", "R": "Restreint", "V": "Très restreint"}
_GENDERS = {"F": "Féminin", "M": "Masculin", "U": "Inconnu"}
_INS_ROOTS = {"1.2.250.1.213.1.4.8": "INS-NIR", "1.2.250.1.213.1.4.9": "INS-NIA",
              "1.2.250.1.213.1.4.10": "INS-NIR (test)", "1.2.250.1.213.1.4.11": "INS-NIR (démo)"}


@dataclass(slots=True)
class _View:
    title: str = ""
    type_code: str = ""
    type_display: str = ""
    patient_name: str = ""
    patient_gender: str = ""
    patient_birth: str = ""
    patient_ids: list[dict[str, str]] = field(default_factory=list)
    authors: list[dict[str, str]] = field(default_factory=list)
    legal_authenticator: str = ""
    legal_time: str = ""
    custodian: str = ""
    effective_time: str = ""
    service_label: str = ""
    service_period: str = ""
    confidentiality: str = ""
    replaces: str = ""
    body_kind: str = ""
    body_media_type: str = ""
    body_data_url: str = ""
    body_text: str = ""
    sections: list[Markup] = field(default_factory=list)


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(str(t) for t in element.itertext()).split())


def _date(value: str | None) -> str:
    """A CDA TS as ``DD/MM/YYYY[ HH:MM]`` (the zone kept as written)."""
    if not value or len(value) < 8:
        return value or ""
    shown = f"{value[6:8]}/{value[4:6]}/{value[0:4]}"
    if len(value) >= 12:
        shown += f" {value[8:10]}:{value[10:12]}"
    return shown


def _name(person: etree._Element | None) -> str:
    """Prefix, given names, used (else birth) family name, suffix."""
    if person is None:
        return ""
    name = person.find(_C + "name")
    if name is None:
        return ""

    def first(*paths: str) -> str:
        for path in paths:
            found = name.find(path)
            if found is not None:
                return _text(found)
        return ""

    parts = (first(_C + "prefix"), first(_C + "given"),
             first(f"{_C}family[@qualifier='CL']", f"{_C}family[@qualifier='SP']",
                   _C + "family"),
             first(_C + "suffix"))
    return " ".join(p for p in parts if p) or _text(name)


def _organization_name(organization: etree._Element | None) -> str:
    return _text(organization.find(_C + "name")) if organization is not None else ""


def narrative_html(element: etree._Element) -> Markup:
    """Safe HTML for a CDA narrative block (``section/text`` and its children)."""
    parts: list[Markup] = [escape(element.text or "")]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(_narrative_child(child))
        parts.append(escape(child.tail or ""))
    return Markup("").join(parts)


def _narrative_child(element: etree._Element) -> Markup:
    local = etree.QName(element).localname
    if etree.QName(element).namespace != _C[1:-1]:
        return escape(_text(element))
    if local == "list":
        tag = "ol" if element.get("listType") == "ordered" else "ul"
    else:
        tag = _NARRATIVE_TAGS.get(local, "")
    if not tag:
        return escape("".join(str(t) for t in element.itertext()))
    if tag in ("br", "col"):
        return Markup("<{}>").format(tag)
    attributes = Markup("").join(Markup(' {}="{}"').format(a, element.get(a, ""))
                                 for a in _CELL_ATTRIBUTES
                                 if tag in ("td", "th") and (element.get(a) or "").isdigit())
    return (Markup("<{}{}>").format(tag, attributes) + narrative_html(element)
            + Markup("</{}>").format(tag))


def _section_html(section: etree._Element, depth: int = 2) -> Markup:
    level = min(depth, 6)
    html = Markup("<h{0}>{1}</h{0}>").format(level, _text(section.find(_C + "title")))
    text = section.find(_C + "text")
    if text is not None:
        html += Markup("<div>") + narrative_html(text) + Markup("</div>")
    for sub in section.iterfind(f"{_C}component/{_C}section"):
        html += _section_html(sub, depth + 1)
    return html


def _body(root: etree._Element, view: _View) -> None:
    body = root.find(f"{_C}component/{_C}nonXMLBody/{_C}text")
    if body is not None:
        media_type = body.get("mediaType", "")
        view.body_media_type = media_type
        raw = "".join((body.text or "").split())
        try:
            data = base64.b64decode(raw, validate=True) if body.get("representation") == "B64" \
                else (body.text or "").encode("utf-8")
        except binascii.Error:
            view.body_kind, view.body_text = "text", "(contenu base64 illisible)"
            return
        if media_type == "application/pdf":
            view.body_kind = "pdf"
        elif media_type in ("image/jpeg", "image/png"):
            view.body_kind = "image"
        elif media_type == "text/plain":
            view.body_kind, view.body_text = "text", data.decode("utf-8", errors="replace")
            return
        else:
            view.body_kind = "file"
            return
        view.body_data_url = f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"
        return
    for section in root.iterfind(f"{_C}component/{_C}structuredBody/{_C}component/{_C}section"):
        view.sections.append(_section_html(section))


def _view(root: etree._Element) -> _View:
    view = _View(title=_text(root.find(_C + "title")))
    code = root.find(_C + "code")
    if code is not None:
        view.type_code, view.type_display = code.get("code", ""), code.get("displayName", "")
    role = root.find(f"{_C}recordTarget/{_C}patientRole")
    if role is not None:
        patient = role.find(_C + "patient")
        view.patient_name = _name(patient)
        if patient is not None:
            gender = patient.find(_C + "administrativeGenderCode")
            view.patient_gender = _GENDERS.get(gender.get("code", ""), "") if gender is not None \
                else ""
            birth = patient.find(_C + "birthTime")
            view.patient_birth = _date(birth.get("value")) if birth is not None else ""
        for identifier in role.iterfind(_C + "id"):
            label = _INS_ROOTS.get(identifier.get("root", ""), "Identifiant local")
            view.patient_ids.append({"label": label, "value": identifier.get("extension", "")})
    for author in root.iterfind(_C + "author"):
        assigned = author.find(_C + "assignedAuthor")
        time = author.find(_C + "time")
        view.authors.append({
            "name": _name(assigned.find(_C + "assignedPerson")) if assigned is not None else "",
            "organization": _organization_name(assigned.find(_C + "representedOrganization"))
            if assigned is not None else "",
            "time": _date(time.get("value")) if time is not None else "",
        })
    legal = root.find(_C + "legalAuthenticator")
    if legal is not None:
        view.legal_authenticator = _name(legal.find(f"{_C}assignedEntity/{_C}assignedPerson"))
        time = legal.find(_C + "time")
        view.legal_time = _date(time.get("value")) if time is not None else ""
    view.custodian = _organization_name(root.find(
        f"{_C}custodian/{_C}assignedCustodian/{_C}representedCustodianOrganization"))
    effective = root.find(_C + "effectiveTime")
    view.effective_time = _date(effective.get("value")) if effective is not None else ""
    event = root.find(f"{_C}documentationOf/{_C}serviceEvent")
    if event is not None:
        event_code = event.find(_C + "code")
        view.service_label = event_code.get("displayName", "") if event_code is not None else ""
        low = event.find(f"{_C}effectiveTime/{_C}low")
        high = event.find(f"{_C}effectiveTime/{_C}high")
        period = "du " + _date(low.get("value")) if low is not None else ""
        if high is not None:
            period += " au " + _date(high.get("value"))
        view.service_period = period
    confidentiality = root.find(_C + "confidentialityCode")
    if confidentiality is not None:
        code_value = confidentiality.get("code", "")
        view.confidentiality = confidentiality.get("displayName") or _CONFIDENTIALITY.get(
            code_value, code_value)
    parent = root.find(f"{_C}relatedDocument/{_C}parentDocument/{_C}id")
    if parent is not None:
        view.replaces = parent.get("root", "")
    _body(root, view)
    return view


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True,
    undefined=jinja2.StrictUndefined)


def render_html(document: bytes) -> str:
    """The HTML page of a CDA document.

    Raises:
        dmpkit.xmlparse.XmlSecurityError: the document is refused by the hardened parser.
    """
    view = _view(parse_xml(document))
    return _environment.get_template("document.html.j2").render(doc=view)
