"""The DMP's proprietary messages: TD0.3 (setAuthorization), TD0.4 (patientList), TD1.6.

REFERENCE §10.1: the TD0.3 body holds only ``action`` (and ``roleType`` to stop being médecin
traitant); the patient comes from the VIHF resource-id. Success is ``DMPOk``, compared
case-insensitively (``DMPOK`` is seen too, REFERENCE §6.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from dmpkit.catalogue import Catalogue
from dmpkit.client._core import Call, Plan, Reply, single
from dmpkit.client.errors import DmpStatusError
from dmpkit.vihf import InsIdentifier, PurposeOfUse

__all__ = [
    "AuthorisationStatus",
    "AuthorisedPatient",
    "ProfessionalAuthorisation",
    "declare_authorisation",
    "list_authorisations",
    "list_authorised_patients",
    "remove_authorisation",
    "stop_being_medecin_traitant",
]

HABILITATIONS = "urn:si-dmp-habilitations"
PATIENTS = "urn:si-dmp-patients"
_SUCCESS = "dmpok"


@dataclass(frozen=True, slots=True)
class AuthorisationStatus:
    """A successful TD0.3 answer.

    Attributes:
        status: the status as received (``DMPOk``).
        context: the DMP's comment (e.g. "Autorisation déjà présente aucune action effectuée").
    """

    status: str
    context: str


@dataclass(frozen=True, slots=True)
class AuthorisedPatient:
    """One DMP of the TD0.4 list (the caller is authorised on it); ``ins`` is the matricule."""

    ins: str | None
    ins_c: str | None
    last_name: str | None
    first_name: str | None
    birth_date: str | None
    medecin_traitant: bool | None
    last_access_date: str | None
    last_update_date: str | None
    last_add_date: str | None


@dataclass(frozen=True, slots=True)
class ProfessionalAuthorisation:
    """One professional of the TD1.6 list (authorised or blocked on the DMP)."""

    national_id: str
    national_id_type: str | None
    last_name: str | None
    first_name: str | None
    speciality_code: str | None
    speciality_label: str | None
    start_date: str | None
    last_action_date: str | None
    mode: str | None


def _body(namespace: str, local: str, **children: str | None) -> etree._Element:
    nsmap: dict[Any, str] = {None: namespace}
    root = etree.Element(f"{{{namespace}}}{local}", nsmap=nsmap)
    for name, value in children.items():
        if value is not None:
            etree.SubElement(root, f"{{{namespace}}}{name}").text = value
    return root


def _checked_status(reply: Reply) -> tuple[str, str]:
    namespace = etree.QName(reply.payload).namespace
    status = (reply.payload.findtext(f"{{{namespace}}}status") or "").strip()
    context = (reply.payload.findtext(f"{{{namespace}}}context") or "").strip()
    if status.lower() != _SUCCESS:
        raise DmpStatusError(reply.transaction.id, status or "(no status)", context)
    return status, context


def _decode_status(reply: Reply) -> AuthorisationStatus:
    return AuthorisationStatus(*_checked_status(reply))


def _set_authorisation(catalogue: Catalogue, transaction_id: str, action: str,
                       role: str | None, patient: InsIdentifier,
                       access_mode: PurposeOfUse | None) -> Plan[AuthorisationStatus]:
    body = _body(HABILITATIONS, "setAuthorization", action=action, roleType=role)
    call = Call(catalogue.get(transaction_id), body, patient, access_mode)
    return single(call, _decode_status)


def declare_authorisation(catalogue: Catalogue, patient: InsIdentifier,
                          access_mode: PurposeOfUse | None = None
                          ) -> Plan[AuthorisationStatus]:
    """TD0.3 declare oneself authorised (setAuthorization AJOUT); idempotent on the DMP."""
    return _set_authorisation(catalogue, "TD0.3-declare", "AJOUT", None, patient, access_mode)


def remove_authorisation(catalogue: Catalogue, patient: InsIdentifier
                         ) -> Plan[AuthorisationStatus]:
    """TD0.3 remove one's authorisation (setAuthorization SUPPRESSION)."""
    return _set_authorisation(catalogue, "TD0.3-remove", "SUPPRESSION", None, patient, None)


def stop_being_medecin_traitant(catalogue: Catalogue, patient: InsIdentifier
                                ) -> Plan[AuthorisationStatus]:
    """TD0.3 stop being médecin traitant DMP (SUPPRESSION, roleType MEDECIN_TRAITANT)."""
    return _set_authorisation(catalogue, "TD0.3-stop-mt", "SUPPRESSION", "MEDECIN_TRAITANT",
                              patient, None)


def _bool(text: str | None) -> bool | None:
    return None if text is None else text.strip().lower() == "true"


def _matricule(text: str | None) -> str | None:
    # The INS arrives bare (REFERENCE §10.1 sample) or as a CX <matricule>^^^&<OID>&ISO^NH.
    if text is None or "^" not in text:
        return text
    return text.split("^", 1)[0]


def _decode_patient_list(reply: Reply) -> list[AuthorisedPatient]:
    _checked_status(reply)
    ns = f"{{{PATIENTS}}}"
    return [
        AuthorisedPatient(
            ins=_matricule(item.findtext(f"{ns}ins")), ins_c=item.findtext(f"{ns}insC"),
            last_name=item.findtext(f"{ns}lastName"), first_name=item.findtext(f"{ns}firstName"),
            birth_date=item.findtext(f"{ns}dateOfBirth"),
            medecin_traitant=_bool(item.findtext(f"{ns}MT")),
            last_access_date=item.findtext(f"{ns}lastAccessDate"),
            last_update_date=item.findtext(f"{ns}lastUpdateDate"),
            last_add_date=item.findtext(f"{ns}lastAddDate"),
        )
        for item in reply.payload.findall(f"{ns}patient")
    ]


def list_authorised_patients(catalogue: Catalogue, since: datetime,
                             date_type: str = "LASTAUTORIZATION"
                             ) -> Plan[list[AuthorisedPatient]]:
    """TD0.4 (patientList): DMPs the caller is authorised on, since a date.

    Args:
        since: the start date (sent as ``YYYYMMDDhhmmss``).
        date_type: ``LASTAUTORIZATION`` (spelling of the DMP) or ``LASTDOC``.
    """
    body = _body(PATIENTS, "patientList", startDate=since.strftime("%Y%m%d%H%M%S"),
                 dateType=date_type)
    return single(Call(catalogue.get("TD0.4"), body), _decode_patient_list)


def _decode_authorisations(reply: Reply) -> list[ProfessionalAuthorisation]:
    _checked_status(reply)
    ns = f"{{{HABILITATIONS}}}"
    return [
        ProfessionalAuthorisation(
            national_id=item.findtext(f"{ns}nationalId") or "",
            national_id_type=item.findtext(f"{ns}nationalIdType"),
            last_name=item.findtext(f"{ns}lastName"), first_name=item.findtext(f"{ns}firstName"),
            speciality_code=item.findtext(f"{ns}specialityCode"),
            speciality_label=item.findtext(f"{ns}specialityLabel"),
            start_date=item.findtext(f"{ns}authorizationStartDate"),
            last_action_date=item.findtext(f"{ns}lastActionDate"),
            mode=item.findtext(f"{ns}mode"),
        )
        for item in reply.payload.findall(f"{ns}authorization")
    ]


def list_authorisations(catalogue: Catalogue, patient: InsIdentifier, mode: str = "TOUTE"
                        ) -> Plan[list[ProfessionalAuthorisation]]:
    """TD1.6 (listAuthorizationByPatient): professionals authorised on or blocked from a DMP.

    Args:
        mode: ``ACTIVE`` (authorised), ``INTERDITE`` (blocked) or ``TOUTE`` (both).
    """
    body = _body(HABILITATIONS, "listAuthorizationByPatient", mode=mode)
    return single(Call(catalogue.get("TD1.6"), body, patient), _decode_authorisations)
