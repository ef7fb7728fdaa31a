"""The habilitations service: TD0.3 setAuthorization (idempotent) and TD1.6 listing (§10.1–10.2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from lxml import etree

from dmpkit.catalogue import Transaction
from dmpkit.simulator.context import RequestContext
from dmpkit.simulator.errors import DmpRefusalError, ErrorEntry
from dmpkit.simulator.rules.authorisation import effective_status
from dmpkit.simulator.rules.status import require_dmp
from dmpkit.simulator.storage import AuthorisationRecord, AuthorisationStatus

__all__ = ["HANDLERS", "refusal_body", "select_variant"]

NS = "urn:si-dmp-habilitations"
DMP_OK = "DMPOk"
ALREADY_PRESENT = "Autorisation déjà présente aucune action effectuée"  # [C*] §10.2


def _tag(local: str) -> str:
    return f"{{{NS}}}{local}"


def select_variant(candidates: Sequence[Transaction], payload: etree._Element) -> Transaction:
    """TD0.3-declare / -remove / -stop-mt from the body's action and roleType.

    Raises:
        DmpRefusalError: an action other than AJOUT / SUPPRESSION.
    """
    action = (payload.findtext(_tag("action")) or "").strip()
    role = (payload.findtext(_tag("roleType")) or "").strip()
    wanted = {("AJOUT", ""): "TD0.3-declare", ("SUPPRESSION", ""): "TD0.3-remove",
              ("SUPPRESSION", "MEDECIN_TRAITANT"): "TD0.3-stop-mt"}.get((action, role))
    for transaction in candidates:
        if transaction.id == wanted:
            return transaction
    raise DmpRefusalError("soap.body_invalid",
                     f"setAuthorization action={action!r} roleType={role!r} non reconnu")


def _response(root: str, status: str, context: str) -> etree._Element:
    response = etree.Element(_tag(root), nsmap={None: NS})  # type: ignore[dict-item]
    etree.SubElement(response, _tag("status")).text = status
    etree.SubElement(response, _tag("context")).text = context
    return response


def declare(ctx: RequestContext) -> etree._Element:
    """Declare oneself authorised: VALIDE for six months; a repeat changes nothing."""
    storage = ctx.simulator.storage
    patient = require_dmp(storage, ctx.caller.patient_ins, absent="authorisation.dmp_absent",
                          closed=None)
    status = effective_status(storage, patient.ins, ctx.caller.professional, ctx.now)
    if status is AuthorisationStatus.INTERDIT:
        raise DmpRefusalError("authorisation.forbidden", "autorisation INTERDIT")
    if status is AuthorisationStatus.VALIDE:
        ctx.outcome.detail = "déjà présente"
        return _response("setAuthorizationResponse", DMP_OK, ALREADY_PRESENT)
    with storage.atomic():
        storage.save_authorisation(AuthorisationRecord(
            patient.ins, ctx.caller.professional, AuthorisationStatus.VALIDE,
            ctx.now.isoformat()))
    ctx.outcome.detail = "VALIDE"
    return _response("setAuthorizationResponse", DMP_OK, "Autorisation ajoutée")


def remove(ctx: RequestContext) -> etree._Element:
    """Remove one's authorisation (a blocked professional stays blocked)."""
    storage = ctx.simulator.storage
    patient = require_dmp(storage, ctx.caller.patient_ins, absent="authorisation.dmp_absent",
                          closed=None)
    record = storage.authorisation(patient.ins, ctx.caller.professional)
    if record is not None and record.status is not AuthorisationStatus.INTERDIT:
        with storage.atomic():
            storage.delete_authorisation(patient.ins, ctx.caller.professional)
    return _response("setAuthorizationResponse", DMP_OK, "Autorisation supprimée")


def stop_medecin_traitant(ctx: RequestContext) -> etree._Element:
    """Stop being médecin traitant DMP (the rights matrix already checked the caller is)."""
    storage = ctx.simulator.storage
    patient = require_dmp(storage, ctx.caller.patient_ins, absent="authorisation.dmp_absent",
                          closed=None)
    if patient.medecin_traitant != ctx.caller.professional:
        raise DmpRefusalError("authorisation.not_medecin_traitant", "rôle MEDECIN_TRAITANT absent")
    patient.medecin_traitant = None
    with storage.atomic():
        storage.save_patient(patient)
    return _response("setAuthorizationResponse", DMP_OK, "Rôle de médecin traitant retiré")


def list_authorisations(ctx: RequestContext) -> etree._Element:
    """TD1.6: professionals authorised on (ACTIVE), blocked from (INTERDITE) the DMP, or both."""
    storage = ctx.simulator.storage
    patient = require_dmp(storage, ctx.caller.patient_ins, absent="authorisation.dmp_absent",
                          closed=None)
    mode = (ctx.payload.findtext(_tag("mode")) or "TOUTE").strip()
    response = _response("listAuthorizationByPatientResponse", DMP_OK, "")
    for record in storage.authorisations(patient.ins):
        status = effective_status(storage, patient.ins, record.professional, ctx.now)
        blocked = status is AuthorisationStatus.INTERDIT
        if (mode == "ACTIVE" and (blocked or status is not AuthorisationStatus.VALIDE)) or (
                mode == "INTERDITE" and not blocked):
            continue
        item = etree.SubElement(response, _tag("authorization"))
        etree.SubElement(item, _tag("nationalId")).text = record.professional
        started = datetime.fromisoformat(record.granted_at).strftime("%Y%m%d%H%M%S")
        etree.SubElement(item, _tag("authorizationStartDate")).text = started
        etree.SubElement(item, _tag("mode")).text = "INTERDITE" if blocked else "ACTIVE"
    return response


HANDLERS = {
    "TD0.3-declare": declare,
    "TD0.3-remove": remove,
    "TD0.3-stop-mt": stop_medecin_traitant,
    "TD1.6": list_authorisations,
}


def refusal_body(transaction: Transaction, payload: etree._Element, entry: ErrorEntry,
                 refusal: DmpRefusalError) -> etree._Element:
    """A WebServiceResponse whose status is the error code and context its text."""
    root = etree.QName(transaction.response_roots[0])
    namespace = root.namespace or NS
    response = etree.Element(root.text, nsmap={None: namespace})  # type: ignore[dict-item]
    etree.SubElement(response, f"{{{namespace}}}status").text = entry.code
    etree.SubElement(response, f"{{{namespace}}}context").text = entry.text(refusal.detail)
    return response
