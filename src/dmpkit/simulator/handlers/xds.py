"""XDS pieces shared by the registry and repository handlers: responses, errors, access."""

from __future__ import annotations

from lxml import etree

from dmpkit.catalogue import Transaction
from dmpkit.namespaces import QUERY, RIM, RS, XDSB
from dmpkit.simulator.context import RequestContext
from dmpkit.simulator.errors import DmpRefusalError, ErrorEntry
from dmpkit.simulator.rules.authorisation import require_consultation
from dmpkit.simulator.rules.status import require_dmp
from dmpkit.simulator.rules.visibility import visible_to
from dmpkit.simulator.storage import DocumentRecord, PatientRecord

__all__ = [
    "FAILURE",
    "SUCCESS",
    "consultable",
    "refusal_body",
    "registry_response",
    "visible_documents",
]

SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
FAILURE = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"
PARTIAL = "urn:ihe:iti:2007:ResponseStatusType:PartialSuccess"
_ERROR_SEVERITY = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"


def registry_response(status: str = SUCCESS, errors: list[tuple[str, str, str]] = ()  # type: ignore[assignment]
                      ) -> etree._Element:
    """An ``rs:RegistryResponse`` with ``(errorCode, codeContext, location)`` errors."""
    response = etree.Element(f"{{{RS}}}RegistryResponse", nsmap={"rs": RS}, status=status)
    add_errors(response, errors)
    return response


def add_errors(response: etree._Element, errors: list[tuple[str, str, str]]) -> None:
    """Append a RegistryErrorList to any ebRS response."""
    if not errors:
        return
    error_list = etree.SubElement(response, f"{{{RS}}}RegistryErrorList",
                                  highestSeverity=_ERROR_SEVERITY)
    for code, context, location in errors:
        etree.SubElement(error_list, f"{{{RS}}}RegistryError", errorCode=code,
                         codeContext=context, location=location, severity=_ERROR_SEVERITY)


def refusal_body(transaction: Transaction, payload: etree._Element, entry: ErrorEntry,
                 refusal: DmpRefusalError) -> etree._Element:
    """The transaction's answer root with status Failure and one RegistryError."""
    error = [(entry.code, entry.text(refusal.detail), refusal.location), *refusal.more]
    root = transaction.response_roots[0]
    if root == f"{{{QUERY}}}AdhocQueryResponse":
        response = etree.Element(root, nsmap={"query": QUERY, "rs": RS, "rim": RIM},
                                 status=FAILURE)
        add_errors(response, error)
        return response
    if root == f"{{{XDSB}}}RetrieveDocumentSetResponse":
        response = etree.Element(root, nsmap={"xdsb": XDSB, "rs": RS})
        response.append(registry_response(FAILURE, error))
        return response
    return registry_response(FAILURE, error)


def consultable(ctx: RequestContext) -> PatientRecord:
    """The patient's DMP, once the caller may consult it (closed DMPs stay consultable [I]).

    Raises:
        DmpRefusalError: unknown patient, no authorisation, blocked, opposition.
    """
    storage = ctx.simulator.storage
    patient = require_dmp(storage, ctx.caller.patient_ins, absent="xds.unknown_patient",
                          closed=None)
    require_consultation(storage, ctx.caller, patient, ctx.now)
    return patient


def visible_documents(ctx: RequestContext, patient: PatientRecord) -> list[DocumentRecord]:
    """Every document version of the patient this caller may see."""
    simulator = ctx.simulator
    medecin_traitant = patient.medecin_traitant == ctx.caller.professional
    return [d for d in simulator.storage.documents(patient.ins)
            if visible_to(d, ctx.caller, medecin_traitant=medecin_traitant,
                          matrix=simulator.matrix, rights=simulator.rights)]
