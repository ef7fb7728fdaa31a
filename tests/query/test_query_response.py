"""ITI-18 responses: LeafClass and ObjectRef into the model, registry errors, IHE sample."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from dmpkit.identifiers import Cx, Hd
from dmpkit.metadata import CodedValue, DocumentEntry, Folder, SubmissionSet, XdsMetadata
from dmpkit.metadata import ebrim_map as m
from dmpkit.query import (
    QueryResponseError,
    RegistryError,
    build_response,
    decode_response,
    parse_response,
)
from dmpkit.xmlparse import parse_xml


def test_ihe_sample_response_decodes(spec_store: Path) -> None:
    result = parse_response((spec_store / "examples/ihe-xds-b/RegistryStoredQueryResponse.xml")
                            .read_bytes())
    assert result.success
    [entry] = result.metadata.documents
    assert entry.entry_uuid == "urn:uuid:08a15a6f-5b4a-42de-8f95-89474f83abdf"
    assert entry.availability_status == m.APPROVED
    assert entry.hash == "4cf4f82d78b5e2aac35c31bca8cb79fe6bd6a41e" and entry.size == 54449
    assert len(result.metadata.object_refs) == 8  # the sample also lists ObjectRefs


def test_leaf_class_round_trip_with_package_kinds() -> None:
    ins = Cx("207058575627097", assigning_authority=Hd.iso("1.2.250.1.213.1.4.10"),
             identifier_type_code="NH")
    metadata = XdsMetadata(
        SubmissionSet("urn:uuid:aaaaaaaa-0000-4000-8000-000000000001", "1.2.3", "1.2", ins,
                      "20240101130000"),
        [DocumentEntry("urn:uuid:aaaaaaaa-0000-4000-8000-000000000002", "1.2.4", ins,
                       type_code=CodedValue("11488-4", "2.16.840.1.113883.6.1"))],
        [Folder("urn:uuid:aaaaaaaa-0000-4000-8000-000000000003", "1.2.5", ins)],
    )
    result = parse_response(etree.tostring(build_response(metadata)))
    assert result.metadata == metadata


def test_object_ref_response_and_errors() -> None:
    errors = (RegistryError("XDSRegistryError", "too many results", "",
                            "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"),)
    response = build_response(XdsMetadata(object_refs=["urn:uuid:1", "urn:uuid:2"]),
                              status=m.RESPONSE_PARTIAL, errors=errors)
    result = decode_response(parse_xml(etree.tostring(response)))
    assert not result.success
    assert result.metadata.object_refs == ["urn:uuid:1", "urn:uuid:2"]
    assert result.errors == list(errors)


def test_failure_without_objects() -> None:
    xml = (b'<query:AdhocQueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"'
           b' status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"/>')
    result = parse_response(xml)
    assert not result.success and result.metadata == XdsMetadata()


def test_other_element_is_refused() -> None:
    with pytest.raises(QueryResponseError):
        decode_response(etree.Element("{urn:x}Other"))
