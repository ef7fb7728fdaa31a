"""TD0.4 patientList (patientsSpecific) and TD0.5 patient search without INS (PDQv3, ITI-47)."""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from dmpkit.simulator.context import RequestContext
from dmpkit.simulator.errors import DmpRefusalError
from dmpkit.simulator.handlers.hl7 import H, acknowledgement_message, copy_attributes, text_at
from dmpkit.simulator.handlers.patients import patient_registration
from dmpkit.simulator.rules.authorisation import effective_status
from dmpkit.simulator.storage import AuthorisationStatus

__all__ = ["HANDLERS"]

NS = "urn:si-dmp-patients"
_MAX_CANDIDATES = 5  # [I] PDQ answers are capped; the DMP's limit is not public


def _tag(local: str) -> str:
    return f"{{{NS}}}{local}"


def patient_list(ctx: RequestContext) -> etree._Element:
    """TD0.4: the DMPs the caller is authorised on, since ``startDate`` (§10.1)."""
    storage = ctx.simulator.storage
    start = (ctx.payload.findtext(_tag("startDate")) or "").strip()
    date_type = (ctx.payload.findtext(_tag("dateType")) or "LASTAUTORIZATION").strip()
    if len(start) != 14 or not start.isdigit():
        raise DmpRefusalError("soap.body_invalid", "startDate attendu au format AAAAMMJJhhmmss")
    response = etree.Element(_tag("patientListResponse"), nsmap={None: NS})  # type: ignore[dict-item]
    etree.SubElement(response, _tag("status")).text = "DMPOk"
    etree.SubElement(response, _tag("context")).text = ""
    for patient in storage.patients():
        record = storage.authorisation(patient.ins, ctx.caller.professional)
        status = effective_status(storage, patient.ins, ctx.caller.professional, ctx.now)
        if record is None or status is not AuthorisationStatus.VALIDE:
            continue
        granted = datetime.fromisoformat(record.granted_at).strftime("%Y%m%d%H%M%S")
        documents = storage.documents(patient.ins)
        last_doc = max((d.created_at for d in documents), default="")
        moment = last_doc if date_type == "LASTDOC" else granted
        if not moment or moment < start:
            continue
        item = etree.SubElement(response, _tag("patient"))
        etree.SubElement(item, _tag("ins")).text = f"{patient.ins}^^^&{patient.ins_oid}&ISO^NH"
        etree.SubElement(item, _tag("lastName")).text = patient.family
        etree.SubElement(item, _tag("firstName")).text = patient.given
        etree.SubElement(item, _tag("dateOfBirth")).text = patient.birth[:8]
        etree.SubElement(item, _tag("MT")).text = str(
            patient.medecin_traitant == ctx.caller.professional).lower()
        if last_doc:
            etree.SubElement(item, _tag("lastAddDate")).text = last_doc[:14]
    ctx.outcome.detail = f"{len(response.findall(_tag('patient')))} DMP"
    return response


def find_candidates(ctx: RequestContext) -> etree._Element:
    """TD0.5: patients matching name (and birth date), only in régulation mode (§10.3)."""
    base = "hl7:controlActProcess/hl7:queryByParameter/hl7:parameterList/"
    family = (text_at(ctx.payload, base + "hl7:livingSubjectName/hl7:value/hl7:family")
              or "").strip().upper()
    birth = text_at(ctx.payload, base + "hl7:livingSubjectBirthTime/hl7:value", "value") or ""
    if not family:
        raise DmpRefusalError("soap.body_invalid", "livingSubjectName/value/family requis")
    matches = [p for p in ctx.simulator.storage.patients()
               if p.family.upper() == family and (not birth or p.birth.startswith(birth))]
    message = acknowledgement_message("PRPA_IN201306UV02", ctx.payload, error_code=None)
    act = etree.SubElement(message, H("controlActProcess"), classCode="CACT", moodCode="EVN")
    etree.SubElement(act, H("code"), code="PRPA_TE201306UV02",
                     codeSystem="2.16.840.1.113883.1.6")
    for patient in matches[:_MAX_CANDIDATES]:
        patient_registration(act, patient)
    ack = etree.SubElement(act, H("queryAck"))
    query_id = ctx.payload.find(f"{H('controlActProcess')}/{H('queryByParameter')}/{H('queryId')}")
    etree.SubElement(ack, H("queryId"), copy_attributes(query_id))
    etree.SubElement(ack, H("queryResponseCode"), code="OK" if matches else "NF")
    ctx.outcome.detail = f"{len(matches)} candidat(s)"
    return message


HANDLERS = {"TD0.4": patient_list, "TD0.5": find_candidates}
