"""ITI-18 builders: every stored query, parameter checks, checked against the ebRS schema and
the IHE sample request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from dmpkit.metadata import CodedValue
from dmpkit.metadata import ebrim_map as m
from dmpkit.namespaces import RIM
from dmpkit.query import STORED_QUERIES, StoredQueryError, build_query, stored_query
from dmpkit.xmlparse import parse_xml
from dmpkit.xsdvalidate import validate

INS = "207058575627097^^^&1.2.250.1.213.1.4.10&ISO^NH"
UUID = "urn:uuid:08a15a6f-5b4a-42de-8f95-89474f83abdf"
REFERENCE_ID = "ACC1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:accession"
MINIMAL: dict[str, dict[str, Any]] = {
    "FindDocuments": {"patient_id": INS, "status": [m.APPROVED]},
    "FindSubmissionSets": {"patient_id": INS, "status": [m.APPROVED]},
    "FindFolders": {"patient_id": INS, "status": [m.APPROVED]},
    "GetAll": {"patient_id": INS, "document_status": [m.APPROVED],
               "submission_set_status": [m.APPROVED], "folder_status": [m.APPROVED]},
    "GetDocuments": {"entry_uuid": [UUID]},
    "GetFolders": {"unique_id": ["1.2.3"]},
    "GetAssociations": {"uuid": [UUID]},
    "GetDocumentsAndAssociations": {"unique_id": ["1.2.3"]},
    "GetSubmissionSets": {"uuid": [UUID]},
    "GetSubmissionSetAndContents": {"entry_uuid": UUID},
    "GetFolderAndContents": {"unique_id": "1.2.3"},
    "GetFoldersForDocument": {"entry_uuid": UUID},
    "GetRelatedDocuments": {"entry_uuid": UUID, "association_types": [m.RPLC]},
    "FindDocumentsByReferenceId": {"patient_id": INS, "status": [m.APPROVED],
                                   "reference_id": [REFERENCE_ID]},
}


def _slots(request: etree._Element) -> dict[str, list[str]]:
    return {s.get("name"): [v.text for v in s.iter(f"{{{RIM}}}Value")]
            for s in request.iter(f"{{{RIM}}}Slot")}


def test_every_stored_query_of_the_issue_is_known() -> None:
    assert set(MINIMAL) == set(STORED_QUERIES)
    assert len({q.query_id for q in STORED_QUERIES.values()}) == 14


@pytest.mark.parametrize("name", sorted(MINIMAL))
def test_each_query_builds_a_schema_valid_request(name: str, spec_store: Path) -> None:
    request = build_query(name, **MINIMAL[name])
    root = parse_xml(etree.tostring(request))
    assert validate(root, "query", store=spec_store) == []
    assert root.find(f"{{{RIM}}}AdhocQuery").get("id") == stored_query(name).query_id


def test_find_documents_matches_the_ihe_sample(spec_store: Path) -> None:
    sample = parse_xml((spec_store / "examples/ihe-xds-b/RegistryStoredQueryRequest.xml")
                       .read_bytes())
    built = build_query("FindDocuments", patient_id="st3498702^^^&1.3.6.1.4.1.21367.2005.3.7&ISO",
                        status=[m.APPROVED], creation_time_from="200412252300",
                        creation_time_to="200501010800",
                        healthcare_facility_type_code=[("Emergency Department", "x")])
    sample_id = sample.find(f"{{{RIM}}}AdhocQuery").get("id").strip()
    assert built.find(f"{{{RIM}}}AdhocQuery").get("id") == sample_id
    assert set(_slots(built)) == set(_slots(sample))
    ours, theirs = _slots(built), _slots(sample)
    assert ours["$XDSDocumentEntryCreationTimeFrom"] == theirs["$XDSDocumentEntryCreationTimeFrom"]
    # (the sample's status reads ResponseStatusType:Approved, an old typo: StatusType is meant)
    # The sample leaves the patient id unquoted; ITI TF-2a §3.18.4.1.2.3.5 quotes strings.
    assert ours["$XDSDocumentEntryPatientId"] == [f"'{theirs['$XDSDocumentEntryPatientId'][0]}'"]


def test_values_are_quoted_and_codes_written_code_caret_caret_scheme() -> None:
    request = build_query("FindDocuments", patient_id=INS, status=[m.APPROVED],
                          class_code=[CodedValue("10", "1.2.250.1.213.1.1.4.1")],
                          event_code=[[("CT", "1.2.250.1.213.1.1.5.618")],
                                      [("TETE", "1.2.250.1.213.1.1.5.695")]],
                          author_person=["O'BRIEN%"])
    slots = _slots(request)
    assert slots["$XDSDocumentEntryPatientId"] == [f"'{INS}'"]
    assert slots["$XDSDocumentEntryClassCode"] == ["('10^^1.2.250.1.213.1.1.4.1')"]
    assert slots["$XDSDocumentEntryAuthorPerson"] == ["('O''BRIEN%')"]
    event_slots = [s for s in request.iter(f"{{{RIM}}}Slot")
                   if s.get("name") == "$XDSDocumentEntryEventCodeList"]
    assert len(event_slots) == 2  # AND between slots


@pytest.mark.parametrize(("name", "params", "code"), [
    ("FindDocuments", {"status": [m.APPROVED]}, "XDSStoredQueryMissingParam"),
    ("GetDocuments", {}, "XDSStoredQueryMissingParam"),
    ("GetDocuments", {"entry_uuid": [UUID], "unique_id": ["1.2"]}, "XDSStoredQueryParamNumber"),
    ("GetFoldersForDocument", {"entry_uuid": [UUID, UUID]}, "XDSStoredQueryParamNumber"),
    ("FindDocuments", {"patient_id": INS, "status": [m.APPROVED], "colour": "red"},
     "XDSStoredQueryParamNumber"),
    ("FindDocuments", {"patient_id": INS, "status": ["Approved"]}, "XDSRegistryError"),
    ("FindDocuments", {"patient_id": INS, "status": [m.APPROVED],
                       "creation_time_from": "2024-01-01"}, "XDSRegistryError"),
    ("GetAssociations", {"uuid": ["Document01"]}, "XDSRegistryError"),
    ("FindEverything", {}, "XDSUnknownStoredQuery"),
])
def test_parameter_checks(name: str, params: dict[str, Any], code: str) -> None:
    with pytest.raises(StoredQueryError) as caught:
        build_query(name, **params)
    assert caught.value.error_code == code


def test_object_ref_return_type() -> None:
    request = build_query("GetAll", return_type="ObjectRef", **MINIMAL["GetAll"])
    option = request[0]
    assert option.get("returnType") == "ObjectRef"
