"""TD3.1: search, IHE ITI-18 Registry Stored Query, with the ANS consultation strategy.

:func:`search_documents` sends any stored query. :func:`consult` follows the ANS guidance
(REFERENCE §1.3 notes): a first visit searches Approved documents whose serviceStartTime is
within two years; a later visit asks for the submission sets since the last visit, their
HasMember associations, then the documents by batches of 20; replaced versions (RPLC) and
Deprecated entries are left out and documents are de-duplicated by uniqueId. The vaccination
history (LOINC 11369-6) is searched on its own, without the two-year bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dmpkit import testmode
from dmpkit.catalogue import Catalogue
from dmpkit.client._core import Call, Plan, Reply
from dmpkit.client.errors import DmpRegistryError, DmpRequestError, RegistryErrorDetail
from dmpkit.metadata import CodedValue, DocumentEntry
from dmpkit.metadata import ebrim_map as m
from dmpkit.query import QueryResult, StoredQueryError, build_query, decode_response
from dmpkit.vihf import InsIdentifier, PurposeOfUse

__all__ = ["BATCH_SIZE", "FIRST_VISIT_YEARS", "VACCINATION_HISTORY", "Consultation", "consult",
           "decode_query",
           "is_signature", "search_documents"]

BATCH_SIZE = 20
# REFERENCE §1.3 notes: the vaccination history is searched apart, undated.
VACCINATION_HISTORY = CodedValue("11369-6", "2.16.840.1.113883.6.1",
                                 "Historique des vaccinations")
SIGNATURE_FORMAT = "http://www.w3.org/2000/09/xmldsig#"
FIRST_VISIT_YEARS = 2


@dataclass(frozen=True, slots=True)
class Consultation:
    """The documents of one consultation of a DMP.

    Attributes:
        documents: the current versions, de-duplicated by uniqueId, newest creation first.
        replaced: entryUUID of a version -> entryUUID of the version that replaced it.
        visited_at: the time to pass as ``since`` on the next visit (``YYYYMMDDhhmmss``).
        queries: how many ITI-18 queries were sent.
    """

    documents: tuple[DocumentEntry, ...]
    replaced: dict[str, str] = field(default_factory=dict)
    visited_at: str = ""
    queries: int = 0

    @property
    def metadata_changes(self) -> tuple[DocumentEntry, ...]:
        """Documents whose metadata changed since they were fed (same logicalId, new
        entryUUID: masking, visibility), to show as updated rather than as new."""
        return tuple(d for d in self.documents
                     if d.logical_id and d.logical_id != d.entry_uuid)


def decode_query(reply: Reply) -> QueryResult:
    """The decoded AdhocQueryResponse.

    Raises:
        DmpRegistryError: the status is not Success (PartialSuccess included).
    """
    result = decode_response(reply.payload)
    if not result.success:
        raise DmpRegistryError(reply.transaction.id, result.status, [
            RegistryErrorDetail(e.error_code, e.code_context, e.location, e.severity)
            for e in result.errors])
    return result


def _query_call(catalogue: Catalogue, patient: InsIdentifier, name: str, return_type: str,
                access_mode: PurposeOfUse | None, params: dict[str, Any]) -> Call:
    transaction = catalogue.get("TD3.1")
    try:
        body = build_query(name, return_type=return_type, **params)
    except StoredQueryError as error:
        raise DmpRequestError(transaction.id, f"{error.error_code}: {error}") from error
    return Call(transaction, body, patient, access_mode)


def search_documents(catalogue: Catalogue, patient: InsIdentifier, query: str = "FindDocuments",
                     *, return_type: str = "LeafClass",
                     access_mode: PurposeOfUse | None = None, **params: Any
                     ) -> Plan[QueryResult]:
    """TD3.1 with any stored query (FindDocuments, GetDocuments, FindSubmissionSets…).

    ``patient_id`` defaults to the patient's INS for the queries that take one.
    """
    if query in ("FindDocuments", "FindSubmissionSets", "FindFolders", "GetAll"):
        params.setdefault("patient_id", patient.to_cx())
    if query in ("FindDocuments", "FindSubmissionSets", "FindFolders"):
        params.setdefault("status", [m.APPROVED])
    reply = yield _query_call(catalogue, patient, query, return_type, access_mode, params)
    return decode_query(reply)


def is_signature(entry: DocumentEntry) -> bool:
    """Whether an entry is a submission-set signature (REFERENCE §3.6), not a clinical document."""
    return entry.format_code is not None and entry.format_code.code == SIGNATURE_FORMAT


def _current(documents: Sequence[DocumentEntry], replaced: dict[str, str]
             ) -> tuple[DocumentEntry, ...]:
    seen: dict[str, DocumentEntry] = {}
    for entry in documents:
        if entry.availability_status == m.DEPRECATED or entry.entry_uuid in replaced \
                or is_signature(entry):
            continue
        key = entry.unique_id or entry.entry_uuid
        seen.setdefault(key, entry)
    return tuple(sorted(seen.values(), key=lambda e: e.creation_time or "", reverse=True))


def consult(catalogue: Catalogue, patient: InsIdentifier, *, since: str | None = None,
            type_codes: Sequence[CodedValue] = (), batch_size: int = BATCH_SIZE,
            access_mode: PurposeOfUse | None = None) -> Plan[Consultation]:
    """TD3.1 as the ANS consultation strategy (signature entries are left out of the list).

    Args:
        patient: the patient's INS.
        since: the ``visited_at`` of the last visit; None for a first visit (two years).
        type_codes: an optional typeCode filter (the user must see it and may remove it).
        batch_size: documents asked per GetDocumentsAndAssociations (20 by default).
        access_mode: the VIHF purposeofuse.
    """
    now = testmode.now()
    visited_at = now.strftime("%Y%m%d%H%M%S")
    queries = 0
    documents: list[DocumentEntry] = []
    replaced: dict[str, str] = {}
    if since is None:
        params: dict[str, Any] = {"patient_id": patient.to_cx(), "status": [m.APPROVED],
                                  "service_start_time_from": first_visit_start(now)}
        if type_codes:
            params["type_code"] = list(type_codes)
        reply = yield _query_call(catalogue, patient, "FindDocuments", "LeafClass",
                                  access_mode, params)
        queries += 1
        result = decode_query(reply)
        documents.extend(result.metadata.documents)
        _note_replacements(result, replaced)
        if not type_codes or _has_type_code(type_codes, VACCINATION_HISTORY):
            # ANS: the vaccination history needs its own search, without the two-year bound.
            reply = yield _query_call(catalogue, patient, "FindDocuments", "LeafClass",
                                      access_mode, {"patient_id": patient.to_cx(),
                                                    "status": [m.APPROVED],
                                                    "type_code": [VACCINATION_HISTORY]})
            queries += 1
            documents.extend(decode_query(reply).metadata.documents)
    else:
        reply = yield _query_call(catalogue, patient, "FindSubmissionSets", "ObjectRef",
                                  access_mode, {"patient_id": patient.to_cx(),
                                                "status": [m.APPROVED],
                                                "submission_time_from": since})
        queries += 1
        sets = decode_query(reply).metadata.object_refs
        members: list[str] = []
        if sets:
            reply = yield _query_call(catalogue, patient, "GetAssociations", "LeafClass",
                                      access_mode, {"uuid": sets})
            queries += 1
            for association in decode_query(reply).metadata.associations:
                if association.association_type == m.HAS_MEMBER and \
                        association.target not in members:
                    members.append(association.target)
        for start_index in range(0, len(members), batch_size):
            batch = members[start_index:start_index + batch_size]
            reply = yield _query_call(catalogue, patient, "GetDocumentsAndAssociations",
                                      "LeafClass", access_mode, {"entry_uuid": batch})
            queries += 1
            result = decode_query(reply)
            documents.extend(d for d in result.metadata.documents
                             if not type_codes or _has_type(d, type_codes))
            _note_replacements(result, replaced)
    return Consultation(_current(documents, replaced), replaced, visited_at, queries)


def _has_type(entry: DocumentEntry, type_codes: Sequence[CodedValue]) -> bool:
    return entry.type_code is not None and _has_type_code(type_codes, entry.type_code)


def _has_type_code(type_codes: Sequence[CodedValue], wanted: CodedValue) -> bool:
    return any(c.code == wanted.code and c.scheme == wanted.scheme for c in type_codes)


def _note_replacements(result: QueryResult, replaced: dict[str, str]) -> None:
    for association in result.metadata.associations:
        if association.association_type == m.RPLC:
            replaced[association.target] = association.source


def first_visit_start(now: datetime) -> str:
    """The serviceStartTime lower bound of a first visit (two years before ``now``)."""
    return (now - timedelta(days=365 * FIRST_VISIT_YEARS)).strftime("%Y%m%d%H%M%S")
