"""XSD validation against the spec store, offline: samples valid, defects located, no network."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from dmpkit.specstore import SpecStoreMissingError
from dmpkit.xmlparse import parse_xml
from dmpkit.xsdvalidate import SchemaLoadError, XsdIssue, schema_path_for, validate

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"


def _sample(spec_store: Path, relative: str) -> etree._Element:
    return parse_xml((spec_store / "examples" / relative).read_bytes())


@pytest.mark.parametrize(
    ("relative", "schema"),
    [
        ("ihe-xds-b/ProvideAndRegisterDocumentSet-bRequest.xml", "xdsb"),
        ("ihe-xds-b/RegistryStoredQueryResponse.xml", "query"),
        ("ihe-rmd/RemoveDocumentsRequest.xml", "rmd"),
        ("svs/RetrieveValueSetResponse.xml", "svs"),
        ("hl7v3-pdq/02_PDQQuery1Response.xml", "hl7v3"),
        ("hl7v3-pdq/05_PDQQuery1Cancel.xml", "hl7v3"),
        ("cda-r2/SampleCDADocument.xml", "cda-r2/schema/normative/infrastructure/cda/CDA.xsd"),
        ("cda/eDISP-MED_2024.01.xml", "cda"),
        ("ihe-xds-b/RetrieveDocumentSetResponse_SOAP.xml", "soap12"),
    ],
)
def test_published_samples_are_valid(spec_store: Path, relative: str, schema: str) -> None:
    assert validate(_sample(spec_store, relative), schema, store=spec_store) == []


def test_every_ans_cda_example_is_valid_against_the_ans_schema(spec_store: Path) -> None:
    invalid = {
        example.name: [str(issue) for issue in validate(parse_xml(example.read_bytes()), "cda",
                                                        store=spec_store)]
        for example in sorted((spec_store / "examples" / "cda").glob("*.xml"))
    }
    assert len(invalid) == 18
    assert {name: issues for name, issues in invalid.items() if issues} == {}


def test_an_invalid_message_reports_line_path_and_message(spec_store: Path) -> None:
    root = _sample(spec_store, "ihe-xds-b/RegistryStoredQueryResponse.xml")
    slot = root.find(".//{urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0}Slot[@name='hash']")
    assert slot is not None
    del slot.attrib["name"]  # required by rim:SlotType
    issues = validate(root, "query", store=spec_store)
    assert len(issues) == 1
    issue = issues[0]
    assert isinstance(issue, XsdIssue)
    assert issue.line == slot.sourceline
    position = list(slot.getparent()).index(slot) + 1  # type: ignore[union-attr]
    assert issue.path.startswith("/query:AdhocQueryResponse/rim:RegistryObjectList/")
    assert issue.path.endswith(f"/rim:ExtrinsicObject/rim:Slot[{position}]")
    assert "'name' is required" in issue.message


def test_an_element_inside_an_envelope_is_validated_as_a_document(spec_store: Path) -> None:
    envelope = _sample(spec_store, "ihe-xds-b/RegistryStoredQueryRequest_SOAP.xml")
    body = envelope.find("{http://www.w3.org/2003/05/soap-envelope}Body")
    assert body is not None
    assert validate(body[0], "query", store=spec_store) == []


def test_catalogued_absolute_imports_resolve_offline(spec_store: Path) -> None:
    # saml20 imports xmldsig and xenc by absolute http URL; catalog.xml maps them.
    assertion = etree.Element(f"{{{SAML}}}Assertion", ID="_a1", Version="2.0",
                              IssueInstant="2026-01-01T00:00:00Z", nsmap={"saml": SAML})
    etree.SubElement(assertion, f"{{{SAML}}}Issuer").text = "urn:dmpkit:test"
    assert validate(assertion, "saml", store=spec_store) == []
    etree.SubElement(assertion, f"{{{SAML}}}Surprise")
    assert [i for i in validate(assertion, "saml", store=spec_store) if "Surprise" in i.message]


def _store_with_schema(tmp_path: Path, spec_store: Path, import_location: str) -> Path:
    (tmp_path / "catalog.xml").write_bytes((spec_store / "catalog.xml").read_bytes())
    (tmp_path / "x.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x">'
        f'<xs:import namespace="urn:y" schemaLocation="{import_location}"/>'
        '<xs:element name="r" type="xs:string"/></xs:schema>',
        encoding="utf-8",
    )
    return tmp_path


def test_a_non_catalogued_remote_import_is_refused(tmp_path: Path, spec_store: Path) -> None:
    store = _store_with_schema(tmp_path, spec_store, "http://example.invalid/y.xsd")
    with pytest.raises(SchemaLoadError, match=r"example\.invalid.*catalog\.xml"):
        validate(etree.Element("{urn:x}r"), "x.xsd", store=store)


def test_an_import_outside_the_store_is_refused(tmp_path: Path, spec_store: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "outside.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:y"/>',
        encoding="utf-8",
    )
    store = _store_with_schema(tmp_path / "store", spec_store, "../outside.xsd")
    with pytest.raises(SchemaLoadError, match="outside the spec store"):
        validate(etree.Element("{urn:x}r"), "x.xsd", store=store)


def test_unknown_schema_names_are_typed_errors(spec_store: Path) -> None:
    element = etree.Element(f"{{{RS}}}RegistryResponse")
    with pytest.raises(SchemaLoadError, match="unknown schema"):
        validate(element, "no-such-family", store=spec_store)
    with pytest.raises(SpecStoreMissingError):
        validate(element, "nowhere/missing.xsd", store=spec_store)


def test_hl7v3_family_picks_the_interaction_schema(spec_store: Path) -> None:
    cancel = _sample(spec_store, "hl7v3-pdq/05_PDQQuery1Cancel.xml")
    assert etree.QName(cancel).localname == "QUQI_IN000003UV01_Cancel"
    assert schema_path_for(cancel, "hl7v3", spec_store).endswith(
        "multicacheschemas/QUQI_IN000003UV01.xsd"
    )
