"""SQLite storage of the local SI DMP: one file, WAL journal, one transaction per request.

The connection is shared between threads behind a lock (the in-process transport and uvicorn
both call the app from one event loop at a time, but tests may run several loops). ``BEGIN
IMMEDIATE`` takes the write lock at the start of :meth:`SqliteStorage.atomic`, so a submission
either commits whole or leaves nothing behind, also when the process is killed mid-way.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, fields
from pathlib import Path
from typing import Any

from dmpkit.errors import DmpkitError
from dmpkit.simulator.storage.base import (
    AssociationRecord,
    AuthorisationRecord,
    AuthorisationStatus,
    DmpStatus,
    DocumentRecord,
    PatientRecord,
    SubmissionSetRecord,
    TraceRecord,
)

__all__ = ["SqliteStorage", "StorageError"]

_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS patient (
  ins TEXT PRIMARY KEY, ins_oid TEXT NOT NULL, family TEXT NOT NULL, given TEXT NOT NULL,
  birth TEXT NOT NULL, sex TEXT NOT NULL, status TEXT NOT NULL, closure_reason TEXT,
  attached_to_mes INTEGER NOT NULL, minor INTEGER NOT NULL, oppositions TEXT NOT NULL,
  medecin_traitant TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS authorisation (
  ins TEXT NOT NULL, professional TEXT NOT NULL, status TEXT NOT NULL, granted_at TEXT NOT NULL,
  PRIMARY KEY (ins, professional));
CREATE TABLE IF NOT EXISTS document (
  entry_uuid TEXT PRIMARY KEY, logical_id TEXT NOT NULL, version INTEGER NOT NULL,
  unique_id TEXT NOT NULL, ins TEXT NOT NULL, status TEXT NOT NULL, class_code TEXT NOT NULL,
  type_code TEXT NOT NULL, confidentiality TEXT NOT NULL, author TEXT NOT NULL,
  author_structure TEXT NOT NULL, submission_set TEXT NOT NULL, title TEXT NOT NULL,
  mime_type TEXT NOT NULL, hash TEXT NOT NULL, size INTEGER NOT NULL,
  repository_unique_id TEXT NOT NULL, created_at TEXT NOT NULL, reference_ids TEXT NOT NULL,
  metadata_xml BLOB NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS document_ins ON document (ins);
CREATE INDEX IF NOT EXISTS document_unique ON document (unique_id);
CREATE TABLE IF NOT EXISTS content (unique_id TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS submission_set (
  entry_uuid TEXT PRIMARY KEY, unique_id TEXT NOT NULL UNIQUE, ins TEXT NOT NULL,
  submission_time TEXT NOT NULL, author TEXT NOT NULL, source_id TEXT NOT NULL,
  metadata_xml BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS association (
  entry_uuid TEXT PRIMARY KEY, association_type TEXT NOT NULL, source TEXT NOT NULL,
  target TEXT NOT NULL, ins TEXT NOT NULL, metadata_xml BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS association_ins ON association (ins);
CREATE TABLE IF NOT EXISTS trace (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, professional TEXT NOT NULL,
  structure TEXT NOT NULL, role TEXT NOT NULL, access_mode TEXT NOT NULL, auth_mode TEXT NOT NULL,
  ins TEXT NOT NULL, transaction_id TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL,
  secret INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS trace_ins ON trace (ins);
"""


class StorageError(DmpkitError):
    """The database cannot be opened or has an unknown layout."""


class SqliteStorage:
    """The :class:`~dmpkit.simulator.storage.base.Storage` protocol on one SQLite file.

    Args:
        path: the database file (created when absent), or ``":memory:"``.
    """

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False,
                                       isolation_level=None, timeout=30)
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit acknowledged to a client survives a crash of the process or machine.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"cannot open the simulator database {self.path}: {exc}") from None
        self._lock = threading.RLock()
        self._depth = 0
        row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(_SCHEMA_VERSION),))
        elif row[0] != str(_SCHEMA_VERSION):
            raise StorageError(f"{self.path}: schema version {row[0]}, expected {_SCHEMA_VERSION}")

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction (nested calls join the outer one)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def _all(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _write(self, sql: str, *args: Any) -> None:
        with self.atomic():
            self._db.execute(sql, args)

    def is_empty(self) -> bool:
        """True when no patient and no trace were ever stored."""
        return not self._all("SELECT 1 FROM patient LIMIT 1") and not self._all(
            "SELECT 1 FROM trace LIMIT 1")

    # --- patients ---------------------------------------------------------------------------
    @staticmethod
    def _patient(row: tuple[Any, ...]) -> PatientRecord:
        return PatientRecord(row[0], row[1], row[2], row[3], row[4], row[5], DmpStatus(row[6]),
                             row[7], bool(row[8]), bool(row[9]), tuple(json.loads(row[10])),
                             row[11], row[12])

    def patient(self, ins: str) -> PatientRecord | None:
        """See :class:`Storage`."""
        rows = self._all("SELECT * FROM patient WHERE ins=?", ins)
        return self._patient(rows[0]) if rows else None

    def patients(self) -> list[PatientRecord]:
        """See :class:`Storage`."""
        return [self._patient(r) for r in self._all("SELECT * FROM patient ORDER BY family")]

    def save_patient(self, patient: PatientRecord) -> None:
        """See :class:`Storage`."""
        self._write(
            "INSERT OR REPLACE INTO patient VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            patient.ins, patient.ins_oid, patient.family, patient.given, patient.birth,
            patient.sex, patient.status.value, patient.closure_reason, int(patient.attached_to_mes),
            int(patient.minor), json.dumps(list(patient.oppositions)), patient.medecin_traitant,
            patient.created_at)

    # --- authorisations ---------------------------------------------------------------------
    def authorisation(self, ins: str, professional: str) -> AuthorisationRecord | None:
        """See :class:`Storage`."""
        rows = self._all("SELECT * FROM authorisation WHERE ins=? AND professional=?",
                         ins, professional)
        return AuthorisationRecord(rows[0][0], rows[0][1], AuthorisationStatus(rows[0][2]),
                                   rows[0][3]) if rows else None

    def authorisations(self, ins: str) -> list[AuthorisationRecord]:
        """See :class:`Storage`."""
        return [AuthorisationRecord(r[0], r[1], AuthorisationStatus(r[2]), r[3])
                for r in self._all("SELECT * FROM authorisation WHERE ins=? ORDER BY professional",
                                   ins)]

    def save_authorisation(self, record: AuthorisationRecord) -> None:
        """See :class:`Storage`."""
        self._write("INSERT OR REPLACE INTO authorisation VALUES (?,?,?,?)", record.ins,
                    record.professional, record.status.value, record.granted_at)

    def delete_authorisation(self, ins: str, professional: str) -> None:
        """See :class:`Storage`."""
        self._write("DELETE FROM authorisation WHERE ins=? AND professional=?", ins, professional)

    # --- documents --------------------------------------------------------------------------
    _DOCUMENT_COLUMNS = tuple(f.name for f in fields(DocumentRecord))

    def _document(self, row: tuple[Any, ...]) -> DocumentRecord:
        values = dict(zip(self._DOCUMENT_COLUMNS, row, strict=False))
        values["confidentiality"] = tuple(json.loads(values["confidentiality"]))
        values["reference_ids"] = tuple(json.loads(values["reference_ids"]))
        values["metadata_xml"] = bytes(values["metadata_xml"])
        return DocumentRecord(**values)

    def add_document(self, record: DocumentRecord, content: bytes | None) -> None:
        """See :class:`Storage`."""
        values = list(astuple(record))
        values[self._DOCUMENT_COLUMNS.index("confidentiality")] = json.dumps(
            list(record.confidentiality))
        values[self._DOCUMENT_COLUMNS.index("reference_ids")] = json.dumps(
            list(record.reference_ids))
        with self.atomic():
            seq = self._db.execute("SELECT COUNT(*) FROM document").fetchone()[0]
            # column names come from the dataclass, values are bound: no injection
            sql = (f"INSERT INTO document ({', '.join(self._DOCUMENT_COLUMNS)}, seq) "  # noqa: S608
                   f"VALUES ({', '.join('?' * (len(values) + 1))})")
            self._db.execute(sql, (*values, seq))
            if content is not None:
                self._db.execute("INSERT OR REPLACE INTO content VALUES (?, ?)",
                                 (record.unique_id, content))

    def _select_documents(self, where: str, *args: Any) -> list[DocumentRecord]:
        columns = ", ".join(self._DOCUMENT_COLUMNS)
        sql = f"SELECT {columns} FROM document WHERE {where} ORDER BY seq"  # noqa: S608 - constants
        rows = self._all(sql, *args)
        return [self._document(r) for r in rows]

    def document(self, entry_uuid: str) -> DocumentRecord | None:
        """See :class:`Storage`."""
        found = self._select_documents("entry_uuid=?", entry_uuid)
        return found[0] if found else None

    def documents(self, ins: str) -> list[DocumentRecord]:
        """See :class:`Storage`."""
        return self._select_documents("ins=?", ins)

    def documents_by_unique_id(self, unique_id: str) -> list[DocumentRecord]:
        """See :class:`Storage`."""
        return self._select_documents("unique_id=?", unique_id)

    def set_document_status(self, entry_uuid: str, status: str) -> None:
        """See :class:`Storage`."""
        self._write("UPDATE document SET status=? WHERE entry_uuid=?", status, entry_uuid)

    def content(self, unique_id: str) -> bytes | None:
        """See :class:`Storage`."""
        rows = self._all("SELECT data FROM content WHERE unique_id=?", unique_id)
        return bytes(rows[0][0]) if rows else None

    # --- submission sets, associations -------------------------------------------------------
    def add_submission_set(self, record: SubmissionSetRecord) -> None:
        """See :class:`Storage`."""
        self._write("INSERT INTO submission_set VALUES (?,?,?,?,?,?,?)", *astuple(record))

    def submission_sets(self, ins: str) -> list[SubmissionSetRecord]:
        """See :class:`Storage`."""
        return [SubmissionSetRecord(r[0], r[1], r[2], r[3], r[4], r[5], bytes(r[6])) for r in
                self._all("SELECT * FROM submission_set WHERE ins=? ORDER BY rowid", ins)]

    def add_association(self, record: AssociationRecord) -> None:
        """See :class:`Storage`."""
        self._write("INSERT INTO association VALUES (?,?,?,?,?,?)", *astuple(record))

    def associations(self, ins: str) -> list[AssociationRecord]:
        """See :class:`Storage`."""
        return [AssociationRecord(r[0], r[1], r[2], r[3], r[4], bytes(r[5])) for r in
                self._all("SELECT * FROM association WHERE ins=? ORDER BY rowid", ins)]

    # --- traces -----------------------------------------------------------------------------
    def add_trace(self, record: TraceRecord) -> None:
        """See :class:`Storage`."""
        self._write(
            "INSERT INTO trace (at, professional, structure, role, access_mode, auth_mode, ins, "
            "transaction_id, outcome, detail, secret) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            record.at, record.professional, record.structure, record.role, record.access_mode,
            record.auth_mode, record.ins, record.transaction, record.outcome, record.detail,
            int(record.secret))

    def traces(self, ins: str | None = None, limit: int = 100) -> list[TraceRecord]:
        """See :class:`Storage`."""
        columns = ("at, professional, structure, role, access_mode, auth_mode, ins, "
                   "transaction_id, outcome, detail, secret, id")
        where, args = ("WHERE ins=?", (ins,)) if ins is not None else ("", ())
        sql = f"SELECT {columns} FROM trace {where} ORDER BY id DESC LIMIT ?"  # noqa: S608
        rows = self._all(sql, *args, limit)
        return [TraceRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
                            bool(r[10]), r[11]) for r in rows]

    def counts(self) -> dict[str, int]:
        """See :class:`Storage`."""
        tables = ("patient", "authorisation", "document", "content", "submission_set",
                  "association", "trace")
        return {t: int(self._all(f"SELECT COUNT(*) FROM {t}")[0][0])  # noqa: S608 - fixed names
                for t in tables}
