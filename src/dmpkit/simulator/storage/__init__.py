"""Storage of the local SI DMP: the interface (:class:`Storage`) and its SQLite backend."""

from dmpkit.simulator.storage.base import (
    APPROVED,
    ARCHIVED,
    DELETED,
    DEPRECATED,
    AssociationRecord,
    AuthorisationRecord,
    AuthorisationStatus,
    DmpStatus,
    DocumentRecord,
    PatientRecord,
    Storage,
    SubmissionSetRecord,
    TraceRecord,
)
from dmpkit.simulator.storage.sqlite import SqliteStorage, StorageError

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
    "SqliteStorage",
    "Storage",
    "StorageError",
    "SubmissionSetRecord",
    "TraceRecord",
]
