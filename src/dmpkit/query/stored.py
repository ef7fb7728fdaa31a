"""The XDS stored queries (ITI-18): ids and parameters, one table.

Query ids and parameter names are the standard IHE values (ITI TF-2a §3.18.4.1.2.3.7 and
§3.18.4.1.2.4); FindDocumentsByReferenceId is the ITI TF-2a addition of the 2013 supplement.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["STORED_QUERIES", "Param", "ParamKind", "StoredQuery", "stored_query"]


class ParamKind(StrEnum):
    """How a parameter value is written in its Slot (ITI TF-2a §3.18.4.1.2.3.5)."""

    TEXT = "text"  # quoted string: 'value'
    PATIENT = "patient"  # quoted CX
    CODE = "code"  # quoted code^^scheme
    TIME = "time"  # unquoted DTM
    STATUS = "status"  # quoted URN
    UUID = "uuid"  # quoted urn:uuid
    ASSOCIATION = "association"  # quoted association type URN


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a stored query.

    Attributes:
        name: the Slot name (``$XDSDocumentEntryPatientId``).
        keyword: the Python keyword of the builder (``patient_id``).
        kind: how values are written.
        multiple: a list of values is allowed (written ``('a','b')``).
        required: must be given.
        and_or: several Slots may be given (AND between Slots, OR inside one).
        one_of: name of the group of which exactly one parameter must be given.
    """

    name: str
    keyword: str
    kind: ParamKind
    multiple: bool = False
    required: bool = False
    and_or: bool = False
    one_of: str | None = None


@dataclass(frozen=True, slots=True)
class StoredQuery:
    """A stored query: its name, its standard IHE id and its parameters."""

    name: str
    query_id: str
    params: tuple[Param, ...]

    def param(self, keyword_or_name: str) -> Param | None:
        """The parameter with this builder keyword or Slot name, or None."""
        return next((p for p in self.params if keyword_or_name in (p.keyword, p.name)), None)


_T, _P, _C, _D, _S, _U, _A = (ParamKind.TEXT, ParamKind.PATIENT, ParamKind.CODE, ParamKind.TIME,
                              ParamKind.STATUS, ParamKind.UUID, ParamKind.ASSOCIATION)
_HOME = Param("$homeCommunityId", "home_community_id", _T)
_DE_FILTERS = (
    Param("$XDSDocumentEntryFormatCode", "format_code", _C, multiple=True),
    Param("$XDSDocumentEntryConfidentialityCode", "confidentiality_code", _C, multiple=True,
          and_or=True),
    Param("$XDSDocumentEntryType", "entry_type", _U, multiple=True),
)
_FIND_DOCUMENTS = (
    Param("$XDSDocumentEntryPatientId", "patient_id", _P, required=True),
    Param("$XDSDocumentEntryClassCode", "class_code", _C, multiple=True),
    Param("$XDSDocumentEntryTypeCode", "type_code", _C, multiple=True),
    Param("$XDSDocumentEntryPracticeSettingCode", "practice_setting_code", _C, multiple=True),
    Param("$XDSDocumentEntryCreationTimeFrom", "creation_time_from", _D),
    Param("$XDSDocumentEntryCreationTimeTo", "creation_time_to", _D),
    Param("$XDSDocumentEntryServiceStartTimeFrom", "service_start_time_from", _D),
    Param("$XDSDocumentEntryServiceStartTimeTo", "service_start_time_to", _D),
    Param("$XDSDocumentEntryServiceStopTimeFrom", "service_stop_time_from", _D),
    Param("$XDSDocumentEntryServiceStopTimeTo", "service_stop_time_to", _D),
    Param("$XDSDocumentEntryHealthcareFacilityTypeCode", "healthcare_facility_type_code", _C,
          multiple=True),
    Param("$XDSDocumentEntryEventCodeList", "event_code", _C, multiple=True, and_or=True),
    Param("$XDSDocumentEntryAuthorPerson", "author_person", _T, multiple=True),
    Param("$XDSDocumentEntryStatus", "status", _S, multiple=True, required=True),
    *_DE_FILTERS,
)


def _by_document(single: bool) -> tuple[Param, ...]:
    return (Param("$XDSDocumentEntryEntryUUID", "entry_uuid", _U, multiple=not single,
                  one_of="document"),
            Param("$XDSDocumentEntryUniqueId", "unique_id", _T, multiple=not single,
                  one_of="document"))


#: Every stored query by name. Ids: standard IHE (ITI TF-2a §3.18.4.1.2.3.7).
STORED_QUERIES: dict[str, StoredQuery] = {q.name: q for q in (
    StoredQuery("FindDocuments", "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d",
                _FIND_DOCUMENTS),
    StoredQuery("FindSubmissionSets", "urn:uuid:f26abbcb-ac74-4422-8a30-edb644bbc1a9", (
        Param("$XDSSubmissionSetPatientId", "patient_id", _P, required=True),
        Param("$XDSSubmissionSetSourceId", "source_id", _T, multiple=True),
        Param("$XDSSubmissionSetSubmissionTimeFrom", "submission_time_from", _D),
        Param("$XDSSubmissionSetSubmissionTimeTo", "submission_time_to", _D),
        Param("$XDSSubmissionSetAuthorPerson", "author_person", _T),
        Param("$XDSSubmissionSetContentType", "content_type_code", _C, multiple=True),
        Param("$XDSSubmissionSetStatus", "status", _S, multiple=True, required=True),
    )),
    StoredQuery("FindFolders", "urn:uuid:958f3006-baad-4929-a4de-ff1114824431", (
        Param("$XDSFolderPatientId", "patient_id", _P, required=True),
        Param("$XDSFolderLastUpdateTimeFrom", "last_update_time_from", _D),
        Param("$XDSFolderLastUpdateTimeTo", "last_update_time_to", _D),
        Param("$XDSFolderCodeList", "code", _C, multiple=True, and_or=True),
        Param("$XDSFolderStatus", "status", _S, multiple=True, required=True),
    )),
    StoredQuery("GetAll", "urn:uuid:10b545ea-725c-446d-9b95-8aeb444eddf3", (
        Param("$patientId", "patient_id", _P, required=True),
        Param("$XDSDocumentEntryStatus", "document_status", _S, multiple=True, required=True),
        Param("$XDSSubmissionSetStatus", "submission_set_status", _S, multiple=True,
              required=True),
        Param("$XDSFolderStatus", "folder_status", _S, multiple=True, required=True),
        *_DE_FILTERS,
    )),
    StoredQuery("GetDocuments", "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4",
                (*_by_document(single=False), _HOME)),
    StoredQuery("GetFolders", "urn:uuid:5737b14c-8a1a-4539-b659-e03a34a5e1e4", (
        Param("$XDSFolderEntryUUID", "entry_uuid", _U, multiple=True, one_of="folder"),
        Param("$XDSFolderUniqueId", "unique_id", _T, multiple=True, one_of="folder"),
        _HOME,
    )),
    StoredQuery("GetAssociations", "urn:uuid:a7ae438b-4bc2-4642-93e9-be891f7bb155", (
        Param("$uuid", "uuid", _U, multiple=True, required=True), _HOME)),
    StoredQuery("GetDocumentsAndAssociations", "urn:uuid:bab9529a-4a10-40b3-a01f-f68a615d247a",
                (*_by_document(single=False), _HOME)),
    StoredQuery("GetSubmissionSets", "urn:uuid:51224314-5390-4169-9b91-b1980040715a", (
        Param("$uuid", "uuid", _U, multiple=True, required=True), _HOME)),
    StoredQuery("GetSubmissionSetAndContents", "urn:uuid:e8e3cb2c-e39c-46b9-99e4-c12f57260b83", (
        Param("$XDSSubmissionSetEntryUUID", "entry_uuid", _U, one_of="submission set"),
        Param("$XDSSubmissionSetUniqueId", "unique_id", _T, one_of="submission set"),
        *_DE_FILTERS, _HOME,
    )),
    StoredQuery("GetFolderAndContents", "urn:uuid:b909a503-523d-4517-8acf-8e5834dfc4c7", (
        Param("$XDSFolderEntryUUID", "entry_uuid", _U, one_of="folder"),
        Param("$XDSFolderUniqueId", "unique_id", _T, one_of="folder"),
        *_DE_FILTERS, _HOME,
    )),
    StoredQuery("GetFoldersForDocument", "urn:uuid:10cae35a-c7f9-4cf5-b61e-fc3278ffb578",
                (*_by_document(single=True), _HOME)),
    StoredQuery("GetRelatedDocuments", "urn:uuid:d90e5407-b356-4d91-a89f-873917b4b0e6", (
        *_by_document(single=True),
        Param("$AssociationTypes", "association_types", _A, multiple=True, required=True),
        Param("$XDSDocumentEntryType", "entry_type", _U, multiple=True),
        _HOME,
    )),
    StoredQuery("FindDocumentsByReferenceId", "urn:uuid:12941a89-e02e-4be5-967c-ce4bfc8fe492", (
        *_FIND_DOCUMENTS,
        Param("$XDSDocumentEntryReferenceIdList", "reference_id", _T, multiple=True,
              required=True),
    )),
)}


def stored_query(name_or_id: str) -> StoredQuery:
    """The stored query with this name or id.

    Raises:
        KeyError: no such query (the message lists the names).
    """
    found = STORED_QUERIES.get(name_or_id) or next(
        (q for q in STORED_QUERIES.values() if q.query_id == name_or_id.strip()), None)
    if found is None:
        raise KeyError(f"{name_or_id!r} is not a stored query: {', '.join(STORED_QUERIES)}")
    return found
