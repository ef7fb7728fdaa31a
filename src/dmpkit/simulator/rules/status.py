"""DMP existence and status: absent, active, closed (REFERENCE §6.3: NF/OK, DMPFound, DMPClosed)."""

from __future__ import annotations

from dmpkit.simulator.errors import DmpRefusalError
from dmpkit.simulator.storage import DmpStatus, PatientRecord, Storage

__all__ = ["require_dmp"]


def require_dmp(storage: Storage, ins: str | None, *, absent: str, closed: str | None
                ) -> PatientRecord:
    """The patient's DMP, refused when absent (and when closed, if ``closed`` is given).

    Args:
        storage: the database.
        ins: the INS matricule from the VIHF.
        absent: errors.toml key for an absent DMP.
        closed: errors.toml key for a closed DMP (None accepts a closed one).

    Raises:
        DmpRefusalError: absent or closed.
    """
    patient = storage.patient(ins) if ins else None
    if patient is None:
        raise DmpRefusalError(absent, "aucun DMP pour ce patient")
    if closed is not None and patient.status is DmpStatus.CLOSED:
        reason = patient.closure_reason or "motif non précisé"
        raise DmpRefusalError(closed, f"DMP fermé ({reason})")
    return patient
