"""The patients service (HL7 v3): TD0.2 existence test, TD1.1 creation, TD1.2 reactivation,
TD1.3a read, TD1.4 closure (REFERENCE §1.3, §6.3, §10.1–10.3)."""

from __future__ import annotations

from lxml import etree

from dmpkit.catalogue import Transaction
from dmpkit.simulator.context import RequestContext
from dmpkit.simulator.errors import DmpRefusalError, ErrorEntry
from dmpkit.simulator.handlers.hl7 import (
    H,
    acknowledgement_message,
    copy_attributes,
    move_attention_lines,
    text_at,
)
from dmpkit.simulator.rules.authorisation import effective_status
from dmpkit.simulator.rules.status import require_dmp
from dmpkit.simulator.storage import DmpStatus, PatientRecord

__all__ = ["HANDLERS", "refusal_body"]

_AUTORISATION = ("AUTORISATION", "1.2.250.1.213.4.1.2.6.1", "1.2.250.1.213.4.1.2.6.2")
_STATUT_MT = ("STATUT_MT", "1.2.250.1.213.4.1.2.6.3")
_RATTACHEMENT_ENS = ("RATTACHEMENT_ENS", "1.2.250.1.213.4.1.2.3")


def _local(root: str) -> str:
    return etree.QName(root).localname


def _attention(keyword: tuple[str, ...], value: etree._Element) -> etree._Element:
    line = etree.Element(H("attentionLine"))
    etree.SubElement(line, H("keyWordText"), code=keyword[0], codeSystem=keyword[1])
    line.append(value)
    return line


def _value(xsi_type: str, **attributes: str) -> etree._Element:
    value = etree.Element(H("value"), nsmap={"xsi": "http://www.w3.org/2001/XMLSchema-instance"})
    value.set("{http://www.w3.org/2001/XMLSchema-instance}type", xsi_type)
    for name, text in attributes.items():
        value.set(name, text)
    return value


def provider_organization(parent: etree._Element, structure: str) -> None:
    """``providerOrganization`` (required by the IHE profile of PRPA_MT201301/201302 [I])."""
    organization = etree.SubElement(parent, H("providerOrganization"), classCode="ORG",
                                    determinerCode="INSTANCE")
    etree.SubElement(organization, H("id"), root="1.2.250.1.71.4.2.2", extension=structure)
    etree.SubElement(organization, H("contactParty"), classCode="CON")


def _patient_element(parent: etree._Element, patient: PatientRecord, *, query: bool,
                     structure: str | None = None) -> None:
    """The registration event of the patient (PRPA_MT201310UV02 in a query answer)."""
    registration = etree.SubElement(etree.SubElement(parent, H("subject"), typeCode="SUBJ"),
                                    H("registrationEvent"), classCode="REG", moodCode="EVN")
    etree.SubElement(registration, H("statusCode"), code="active")
    element = etree.SubElement(etree.SubElement(registration, H("subject1"), typeCode="SBJ"),
                               H("patient"), classCode="PAT")
    etree.SubElement(element, H("id"), root=patient.ins_oid, extension=patient.ins)
    etree.SubElement(element, H("statusCode"),
                     code="active" if patient.status is DmpStatus.ACTIVE else "terminated")
    person = etree.SubElement(element, H("patientPerson"), classCode="PSN",
                              determinerCode="INSTANCE")
    name = etree.SubElement(person, H("name"))
    etree.SubElement(name, H("family")).text = patient.family
    etree.SubElement(name, H("given")).text = patient.given
    etree.SubElement(person, H("administrativeGenderCode"), code=patient.sex,
                     codeSystem="2.16.840.1.113883.5.1")
    etree.SubElement(person, H("birthTime"), value=patient.birth)
    if structure is not None:
        provider_organization(element, structure)
    if not query:
        return
    # PRPA_MT201310UV02 requires a match observation (REFERENCE specs/dmp/README: [I])
    match = etree.SubElement(etree.SubElement(element, H("subjectOf1")),
                             H("queryMatchObservation"), classCode="COND", moodCode="EVN")
    etree.SubElement(match, H("code"), code="IHE_PDQ")
    match.append(_value("INT", value="100"))
    observation = etree.SubElement(etree.SubElement(element, H("subjectOf2"), typeCode="SBJ"),
                                   H("administrativeObservation"), classCode="OBS")
    etree.SubElement(observation, H("code"), code=_RATTACHEMENT_ENS[0],
                     codeSystem=_RATTACHEMENT_ENS[1])
    observation.append(_value("BL", value=str(patient.attached_to_mes).lower()))
    # the registry holding the record: the SI DMP itself (required in PDQ answers)
    custodian = etree.SubElement(registration, H("custodian"), typeCode="CST")
    entity = etree.SubElement(custodian, H("assignedEntity"), classCode="ASSIGNED")
    etree.SubElement(entity, H("id"), root="1.2.250.1.213.4.1.1.1")


def _control_act(message: etree._Element, ctx: RequestContext) -> etree._Element:
    act = etree.SubElement(message, H("controlActProcess"), classCode="CACT", moodCode="EVN")
    reason = ctx.payload.find(H("controlActProcess") + "/" + H("reasonCode"))
    if reason is not None:
        etree.SubElement(act, H("reasonCode"), copy_attributes(reason))
    return act


def _query_ack(act: etree._Element, ctx: RequestContext, code: str) -> None:
    ack = etree.SubElement(act, H("queryAck"))
    query_id = ctx.payload.find(f"{H('controlActProcess')}/{H('queryByParameter')}/{H('queryId')}")
    etree.SubElement(ack, H("queryId"), copy_attributes(query_id))
    etree.SubElement(ack, H("queryResponseCode"), code=code)


def test_existence(ctx: RequestContext) -> etree._Element:
    """TD0.2: queryResponseCode NF/OK, authorisation and médecin-traitant status (§10.2)."""
    caller = ctx.caller
    storage = ctx.simulator.storage
    patient = storage.patient(caller.patient_ins or "")
    message = acknowledgement_message("PRPA_IN201308UV02", ctx.payload, error_code=None)
    act = _control_act(message, ctx)
    if patient is None:
        _query_ack(act, ctx, "NF")
        ctx.outcome.detail = "NF"
        return message
    if patient.status is DmpStatus.CLOSED:
        # a closed DMP is found, with its status terminated [I]
        ctx.outcome.detail = "OK (fermé)"
    status = effective_status(storage, patient.ins, caller.professional, ctx.now)
    medecin_traitant = patient.medecin_traitant == caller.professional
    move_attention_lines(message, [
        _attention(_AUTORISATION, _value("CV", code=status.value, codeSystem=_AUTORISATION[2])),
        _attention(_STATUT_MT, _value("BL", value=str(medecin_traitant).lower())),
    ])
    _patient_element(act, patient, query=True)
    _query_ack(act, ctx, "OK")
    ctx.outcome.detail = ctx.outcome.detail or f"OK {status.value}"
    return message


def _read_patient(ctx: RequestContext) -> tuple[str, str, str, str]:
    base = "hl7:controlActProcess/hl7:subject/*/hl7:subject1/hl7:patient/hl7:patientPerson/"
    family = text_at(ctx.payload, base + "hl7:name/hl7:family") or ""
    given = text_at(ctx.payload, base + "hl7:name/hl7:given") or ""
    birth = text_at(ctx.payload, base + "hl7:birthTime", "value") or ""
    sex = text_at(ctx.payload, base + "hl7:administrativeGenderCode", "code") or ""
    return family, given, birth, sex


def create(ctx: RequestContext) -> etree._Element:
    """TD1.1: create the DMP; DMPFound when it exists (§6.3)."""
    caller = ctx.caller
    storage = ctx.simulator.storage
    ins = caller.patient_ins or ""
    if storage.patient(ins) is not None:
        raise DmpRefusalError("dmp.found", "un DMP existe déjà pour ce patient")
    family, given, birth, sex = _read_patient(ctx)
    if not family:
        raise DmpRefusalError("soap.body_invalid", "patientPerson/name/family absent (RG_2230)")
    with storage.atomic():
        storage.save_patient(PatientRecord(
            ins=ins, ins_oid=caller.patient_oid or "", family=family, given=given, birth=birth,
            sex=sex, status=DmpStatus.ACTIVE, created_at=ctx.now.isoformat()))
    message = acknowledgement_message("PRPA_IN201312UV02", ctx.payload, error_code=None)
    _patient_element(_control_act(message, ctx), storage.patient(ins),  # type: ignore[arg-type]
                     query=False, structure=caller.structure)
    return message


def _revise(ctx: RequestContext, target: DmpStatus, reason: str | None) -> etree._Element:
    storage = ctx.simulator.storage
    patient = require_dmp(storage, ctx.caller.patient_ins, absent="dmp.not_found", closed=None)
    if patient.attached_to_mes and ctx.transaction.td in ("TD1.3b", "TD1.4"):
        raise DmpRefusalError("dmp.attached_to_mes",
                         "DMP rattaché à Mon espace santé : action réservée au patient")
    if patient.status is target:
        key = "dmp.closed" if target is DmpStatus.CLOSED else "dmp.found"
        raise DmpRefusalError(key, f"le DMP est déjà {'fermé' if key == 'dmp.closed' else 'actif'}")
    patient.status = target
    patient.closure_reason = reason
    with storage.atomic():
        storage.save_patient(patient)
    message = acknowledgement_message("PRPA_IN201315UV02", ctx.payload, error_code=None)
    _patient_element(_control_act(message, ctx), patient, query=False)
    return message


def close(ctx: RequestContext) -> etree._Element:
    """TD1.4: close the DMP; DMPClosed when already closed (§6.3)."""
    reason = text_at(ctx.payload, "hl7:controlActProcess/hl7:subject/*/hl7:reasonOf/"
                     "hl7:detectedIssueEvent/hl7:code", "code")
    return _revise(ctx, DmpStatus.CLOSED, reason or "FERMETURE")


def reactivate(ctx: RequestContext) -> etree._Element:
    """TD1.2: reactivate a closed DMP; DMPFound when it is active (§6.3)."""
    return _revise(ctx, DmpStatus.ACTIVE, None)


def patient_registration(act: etree._Element, patient: PatientRecord) -> None:
    """A patient as a query answer lists it (PRPA_MT201310UV02), for TD0.5."""
    _patient_element(act, patient, query=True)


def modify_data(ctx: RequestContext) -> etree._Element:
    """TD1.3b: replace the patient's administrative data (names, birth date, sex)."""
    storage = ctx.simulator.storage
    patient = require_dmp(storage, ctx.caller.patient_ins, absent="dmp.not_found",
                          closed="dmp.closed")
    if patient.attached_to_mes:
        raise DmpRefusalError("dmp.attached_to_mes",
                              "DMP rattaché à Mon espace santé : données gérées par le patient")
    family, given, birth, sex = _read_patient(ctx)
    if not family:
        raise DmpRefusalError("soap.body_invalid", "patientPerson/name/family absent (RG_2230)")
    patient.family, patient.given = family, given or patient.given
    patient.birth, patient.sex = birth or patient.birth, sex or patient.sex
    with storage.atomic():
        storage.save_patient(patient)
    message = acknowledgement_message("PRPA_IN201315UV02", ctx.payload, error_code=None)
    _patient_element(_control_act(message, ctx), patient, query=False)
    return message


def read_data(ctx: RequestContext) -> etree._Element:
    """TD1.3a: the patient's administrative data."""
    patient = require_dmp(ctx.simulator.storage, ctx.caller.patient_ins, absent="dmp.not_found",
                          closed=None)
    message = acknowledgement_message("PRPA_IN201308UV02", ctx.payload, error_code=None)
    act = _control_act(message, ctx)
    _patient_element(act, patient, query=True)
    _query_ack(act, ctx, "OK")
    return message


HANDLERS = {
    "TD0.2": test_existence,
    "TD1.1": create,
    "TD1.2": reactivate,
    "TD1.3a": read_data,
    "TD1.3b": modify_data,
    "TD1.4": close,
}


def refusal_body(transaction: Transaction, payload: etree._Element, entry: ErrorEntry,
                 refusal: DmpRefusalError) -> etree._Element:
    """The HL7 v3 refusal: the transaction's refusal root (201313, 201316...) with AE + code."""
    root = transaction.response_roots[-1]
    message = acknowledgement_message(_local(root), payload, error_code=entry.code,
                                      error_text=entry.text(refusal.detail))
    _control_act_plain(message, payload)
    return message


def _control_act_plain(message: etree._Element, payload: etree._Element) -> None:
    act = etree.SubElement(message, H("controlActProcess"), classCode="CACT", moodCode="EVN")
    reason = payload.find(H("controlActProcess") + "/" + H("reasonCode"))
    if reason is not None:
        etree.SubElement(act, H("reasonCode"), copy_attributes(reason))
