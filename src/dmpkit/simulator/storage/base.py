"""The storage interface of the local SI DMP: records and the operations the rules need.

SQLite implements it (:class:`~dmpkit.simulator.storage.sqlite.SqliteStorage`); a PostgreSQL
backend would implement the same :class:`Storage` protocol. Every write of one request happens
inside :meth:`Storage.atomic`, so an ITI-41 is stored whole or not at all.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

__all__ = [
    "APPROVED",
    "ARCHIVED",
    "DELETED",
    "DEPRECATED",
    "AssociationRecord",
    "AuthorisationRecord",
    "AuthorisationStatus",
    "DmpStatus",
    "DocumentRecord",
    "PatientRecord",
    "Storage",
    "SubmissionSetRecord",
    "TraceRecord",
]

APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
ARCHIVED = "urn:asip:ci-sis:2010:StatusType:Archived"
DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"


class DmpStatus(StrEnum):
    """The state of a patient's DMP on the server."""

    ACTIVE = "active"
    CLOSED = "closed"


class AuthorisationStatus(StrEnum):
    """A professional's authorisation on a DMP (REFERENCE §4, §10.2)."""

    VALIDE = "VALIDE"
    EXPIRE = "EXPIRE"
    INTERDIT = "INTERDIT"
    NON_EXISTE = "NON_EXISTE"


@dataclass(slots=True)
class PatientRecord:
    """A patient who has a DMP (active or closed)."""

    ins: str
    ins_oid: str
    family: str
    given: str
    birth: str
    sex: str
    status: DmpStatus
    closure_reason: str | None = None
    attached_to_mes: bool = False
    minor: bool = False
    oppositions: tuple[str, ...] = ()
    medecin_traitant: str | None = None
    created_at: str = ""


@dataclass(slots=True)
class AuthorisationRecord:
    """What a professional may do on one DMP; ``granted_at`` is ISO 8601 UTC."""

    ins: str
    professional: str
    status: AuthorisationStatus
    granted_at: str


@dataclass(slots=True)
class DocumentRecord:
    """One version of a DocumentEntry: the indexed fields plus its ebRIM ExtrinsicObject XML.

    The columns are authoritative for ``entry_uuid``, ``status`` and ``confidentiality``; the
    XML keeps everything else the submitter sent.
    """

    entry_uuid: str
    logical_id: str
    version: int
    unique_id: str
    ins: str
    status: str
    class_code: str
    type_code: str
    confidentiality: tuple[str, ...]
    author: str
    author_structure: str
    submission_set: str
    title: str
    mime_type: str
    hash: str
    size: int
    repository_unique_id: str
    created_at: str
    reference_ids: tuple[str, ...] = ()
    metadata_xml: bytes = b""


@dataclass(slots=True)
class SubmissionSetRecord:
    """A registered submission set and its ebRIM RegistryPackage XML."""

    entry_uuid: str
    unique_id: str
    ins: str
    submission_time: str
    author: str
    source_id: str
    metadata_xml: bytes = b""


@dataclass(slots=True)
class AssociationRecord:
    """A registered association (HasMember, RPLC, signs, UpdateAvailabilityStatus...)."""

    entry_uuid: str
    association_type: str
    source: str
    target: str
    ins: str
    metadata_xml: bytes = b""


@dataclass(slots=True)
class TraceRecord:
    """One request as the access trace records it (REFERENCE §4: trace content [I])."""

    at: str
    professional: str
    structure: str
    role: str
    access_mode: str
    auth_mode: str
    ins: str
    transaction: str
    outcome: str
    detail: str = ""
    secret: bool = False
    id: int | None = field(default=None)


class Storage(Protocol):
    """What the simulator needs from a database. Writes only inside :meth:`atomic`."""

    def atomic(self) -> AbstractContextManager[None]:
        """One database transaction: commits on exit, rolls back on an exception."""
        ...

    def close(self) -> None:
        """Release the database."""
        ...

    def is_empty(self) -> bool:
        """True when nothing was ever stored (the seed has not run)."""
        ...

    def patient(self, ins: str) -> PatientRecord | None:
        """The patient with this INS matricule, or None when he has no DMP."""
        ...

    def patients(self) -> list[PatientRecord]:
        """Every patient with a DMP."""
        ...

    def save_patient(self, patient: PatientRecord) -> None:
        """Insert or replace a patient."""
        ...

    def authorisation(self, ins: str, professional: str) -> AuthorisationRecord | None:
        """One professional's authorisation on a DMP."""
        ...

    def authorisations(self, ins: str) -> list[AuthorisationRecord]:
        """Every authorisation on a DMP."""
        ...

    def save_authorisation(self, record: AuthorisationRecord) -> None:
        """Insert or replace an authorisation."""
        ...

    def delete_authorisation(self, ins: str, professional: str) -> None:
        """Remove an authorisation (no error when absent)."""
        ...

    def add_document(self, record: DocumentRecord, content: bytes | None) -> None:
        """Register a DocumentEntry version and, when given, store its content."""
        ...

    def document(self, entry_uuid: str) -> DocumentRecord | None:
        """The DocumentEntry version with this entryUUID."""
        ...

    def documents(self, ins: str) -> list[DocumentRecord]:
        """Every DocumentEntry version of a patient, oldest first."""
        ...

    def documents_by_unique_id(self, unique_id: str) -> list[DocumentRecord]:
        """Every version carrying this uniqueId, oldest first."""
        ...

    def set_document_status(self, entry_uuid: str, status: str) -> None:
        """Change a version's availabilityStatus."""
        ...

    def content(self, unique_id: str) -> bytes | None:
        """The stored document bytes."""
        ...

    def add_submission_set(self, record: SubmissionSetRecord) -> None:
        """Register a submission set."""
        ...

    def submission_sets(self, ins: str) -> list[SubmissionSetRecord]:
        """Every submission set of a patient."""
        ...

    def add_association(self, record: AssociationRecord) -> None:
        """Register an association."""
        ...

    def associations(self, ins: str) -> list[AssociationRecord]:
        """Every association of a patient."""
        ...

    def add_trace(self, record: TraceRecord) -> None:
        """Record one request."""
        ...

    def traces(self, ins: str | None = None, limit: int = 100) -> list[TraceRecord]:
        """The newest traces first, of one patient or all."""
        ...

    def counts(self) -> dict[str, int]:
        """Row counts per table (for checks and the web view)."""
        ...


