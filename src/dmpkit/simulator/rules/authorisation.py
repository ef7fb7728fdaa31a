"""Authorisations of professionals on a DMP (REFERENCE §4, §10.2, §10.4).

VALIDE / EXPIRE / INTERDIT / NON_EXISTE; an authorisation is valid six months ([C-sec]
§10.4); authorisations serve consultation only; a professional blocked by the patient cannot
consult even in emergency ([C] §4); in bris de glace and centre 15 the patient's oppositions
apply and no authorisation is needed ([C] §4, [I] for bris de glace).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dmpkit.catalogue import AccessMode
from dmpkit.simulator.caller import Caller
from dmpkit.simulator.errors import DmpRefusalError
from dmpkit.simulator.storage import AuthorisationStatus, PatientRecord, Storage

__all__ = ["VALIDITY", "effective_status", "require_consultation"]

VALIDITY = timedelta(days=183)  # six months, REFERENCE §10.4


def effective_status(storage: Storage, ins: str, professional: str, now: datetime
                     ) -> AuthorisationStatus:
    """The authorisation status as of ``now`` (a VALIDE older than six months is EXPIRE)."""
    record = storage.authorisation(ins, professional)
    if record is None:
        return AuthorisationStatus.NON_EXISTE
    if record.status is AuthorisationStatus.VALIDE:
        granted = datetime.fromisoformat(record.granted_at)
        if now - granted >= VALIDITY:
            return AuthorisationStatus.EXPIRE
    return record.status


def require_consultation(storage: Storage, caller: Caller, patient: PatientRecord,
                         now: datetime, *, key: str = "xds.not_authorised") -> None:
    """Refuse consultation unless the caller may read this DMP in its access mode.

    Raises:
        DmpRefusalError: blocked, opposition, or no valid authorisation in normal mode.
    """
    status = effective_status(storage, patient.ins, caller.professional, now)
    if status is AuthorisationStatus.INTERDIT:
        raise DmpRefusalError(key, "le patient a bloqué ce professionnel")
    mode = caller.access_mode
    if mode is not AccessMode.NORMAL:
        if mode.value in patient.oppositions:
            raise DmpRefusalError(key, f"le patient s'est opposé à l'accès en mode {mode.value}")
        return
    if patient.medecin_traitant == caller.professional:
        return
    if status is not AuthorisationStatus.VALIDE:
        raise DmpRefusalError(key, f"autorisation {status.value}")
