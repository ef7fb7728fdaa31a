"""Model ↔ ebRIM: property-based round trips, the IHE examples, and REFERENCE §3 coverage."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from metadata_samples import REPO_ROOT, dmp_submission

from dmpkit.identifiers import Cwe, Cx, Hd, Xcn, Xon
from dmpkit.metadata import (
    Association,
    Author,
    CodedValue,
    DocumentEntry,
    Folder,
    MetadataDecodeError,
    SubmissionSet,
    XdsMetadata,
    decode,
    encode,
    to_provide_and_register,
    to_submit_objects_request,
)
from dmpkit.metadata import ebrim_map as m
from dmpkit.namespaces import RIM
from dmpkit.xmlparse import parse_xml
from dmpkit.xsdvalidate import validate as xsd_validate

# Text XML 1.0 can carry (no control characters, surrogates or non-characters).
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Co", "Cn")),
               max_size=12)
WORD = st.text("abcXYZ0189.-_ ", min_size=1, max_size=10)
OPTIONAL = st.none() | TEXT
ATTRIBUTE = st.none() | WORD  # XML attributes: absent rather than empty
HD = st.builds(Hd, TEXT, TEXT, TEXT)
CX = st.builds(Cx, TEXT, TEXT, TEXT, HD, TEXT, HD)
XCN = st.builds(Xcn, TEXT, TEXT, TEXT, assigning_authority=HD, name_type_code=TEXT,
                identifier_type_code=TEXT)
XON = st.builds(Xon, TEXT, assigning_authority=HD, identifier_type_code=TEXT,
                organization_identifier=TEXT)
CWE = st.builds(Cwe, TEXT, TEXT, TEXT)
CODED = st.builds(CodedValue, TEXT, TEXT, TEXT)
AUTHOR = st.builds(Author, st.none() | XCN, st.lists(XON, max_size=2), st.lists(CWE, max_size=2),
                   st.lists(CWE, max_size=2), st.lists(TEXT, max_size=2))
EXTRA = st.dictionaries(st.text("abc", min_size=1, max_size=4).map(lambda s: "x-" + s),
                        st.lists(TEXT, max_size=2), max_size=2)


def documents(n: int) -> st.SearchStrategy[DocumentEntry]:
    return st.builds(
        DocumentEntry, st.just(f"Document{n:02d}"), OPTIONAL, st.none() | CX, ATTRIBUTE, OPTIONAL,
        st.sampled_from([m.STABLE_DOCUMENT_ENTRY, m.ON_DEMAND_DOCUMENT_ENTRY]), ATTRIBUTE,
        ATTRIBUTE, ATTRIBUTE, OPTIONAL, OPTIONAL, st.lists(AUTHOR, max_size=2),
        st.none() | CODED, st.none() | CODED, st.none() | CODED, st.none() | CODED,
        st.none() | CODED, st.lists(CODED, max_size=3), st.lists(CODED, max_size=2), OPTIONAL,
        OPTIONAL, OPTIONAL, OPTIONAL, st.none() | XCN, st.none() | CX, st.lists(TEXT, max_size=3),
        OPTIONAL, st.none() | st.integers(0, 2**40), OPTIONAL, OPTIONAL, st.lists(CX, max_size=2),
        OPTIONAL, EXTRA)


SUBMISSION_SETS = st.builds(
    SubmissionSet, st.just("SubmissionSet01"), OPTIONAL, OPTIONAL, st.none() | CX, OPTIONAL,
    st.lists(AUTHOR, max_size=2), st.none() | CODED, OPTIONAL, OPTIONAL,
    st.lists(TEXT, max_size=2), ATTRIBUTE, ATTRIBUTE, EXTRA)
FOLDERS = st.builds(Folder, st.just("Folder01"), OPTIONAL, st.none() | CX, OPTIONAL, OPTIONAL,
                    st.lists(CODED, max_size=2), OPTIONAL, ATTRIBUTE, ATTRIBUTE, EXTRA)
ASSOCIATIONS = st.builds(
    Association, WORD, st.sampled_from(sorted(m.ASSOCIATION_TYPES)), WORD, WORD, ATTRIBUTE,
    OPTIONAL, OPTIONAL, OPTIONAL, OPTIONAL, EXTRA)
METADATA = st.builds(
    XdsMetadata, st.none() | SUBMISSION_SETS,
    st.tuples(documents(1), documents(2)).map(list) | st.lists(documents(1), max_size=1),
    st.lists(FOLDERS, max_size=1), st.lists(ASSOCIATIONS, max_size=3),
    st.lists(WORD, max_size=2))


def _through_xml(element: etree._Element) -> etree._Element:
    return parse_xml(etree.tostring(element, encoding="UTF-8"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(METADATA)
def test_model_to_ebrim_to_model_is_identity(metadata: XdsMetadata) -> None:
    decoded = decode(_through_xml(to_submit_objects_request(metadata)))
    assert decoded.problems == []
    assert decoded.metadata == metadata


def test_encoded_submission_is_valid_against_the_ihe_schema(spec_store: Path) -> None:
    request = to_provide_and_register(dmp_submission(), {"Document01": b"%PDF-1.4"})
    root = parse_xml(etree.tostring(request))
    assert xsd_validate(root, "ihe-iti/schema/IHE/XDS.b_DocumentRepository.xsd",
                        store=spec_store) == []


EXAMPLES = ["ProvideAndRegisterDocumentSet-bRequest.xml",
            "ProvideAndRegisterDocumentSet-bRequest_SOAP.xml",
            "RegisterDocumentSet-bRequest.xml", "RegistryStoredQueryResponse.xml"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_ihe_xds_example_decodes(spec_store: Path, name: str) -> None:
    from dmpkit.metadata.messages import read_message

    message = read_message((spec_store / "examples/ihe-xds-b" / name).read_bytes())
    decoded = decode(message.registry_object_list)
    assert decoded.problems == []
    assert len(decoded.metadata.documents) == 1
    entry = decoded.metadata.documents[0]
    assert entry.type_code is not None and entry.type_code.code in ("34108-1", "34098-4")
    assert entry.patient_id is not None and entry.patient_id.assigning_authority.universal_id
    # Re-encoding then decoding keeps every value.
    assert decode(_through_xml(encode(decoded.metadata))).metadata == decoded.metadata


def test_submission_example_values_land_in_the_model(spec_store: Path) -> None:
    root = parse_xml((spec_store / "examples/ihe-xds-b/RegisterDocumentSet-bRequest.xml")
                     .read_bytes())
    meta = decode(root).metadata
    assert meta.submission_set is not None
    assert meta.submission_set.unique_id == "1.3.6.1.4.1.21367.2005.3.9999.33"
    assert meta.submission_set.source_id == "3670984664"
    assert meta.submission_set.authors[0].person == Xcn("Sherry Dopplemeyer")
    entry = meta.documents[0]
    assert entry.unique_id == "1.3.6.1.4.1.21367.2005.3.9999.32"
    assert entry.authors[0].institutions == [Xon("Cleveland Clinic"), Xon("Parma Community")]
    assert entry.source_patient_info[1] == "PID-5|Doe^John^^^"
    # The sample writes the ebXML 2.1 short name: it is expanded to the URN.
    assert meta.associations[0].association_type == m.HAS_MEMBER
    assert meta.associations[0].submission_set_status == "Original"


def test_query_response_object_refs(spec_store: Path) -> None:
    root = parse_xml((spec_store / "examples/ihe-xds-b/RegistryStoredQueryResponse.xml")
                     .read_bytes())
    meta = decode(root).metadata
    assert m.DE_CLASS_CODE in meta.object_refs


def test_no_registry_object_list_is_a_typed_error() -> None:
    with pytest.raises(MetadataDecodeError):
        decode(etree.Element("{urn:x}Other"))


def test_duplicate_single_valued_item_is_reported() -> None:
    tree = encode(dmp_submission())
    entry = tree.find(f"{{{RIM}}}ExtrinsicObject")
    type_code = next(c for c in entry.iter(f"{{{RIM}}}Classification")
                     if c.get("classificationScheme") == m.DE_TYPE_CODE)
    entry.append(parse_xml(etree.tostring(type_code)))
    decoded = decode(tree)
    assert [(p.item, p.kind) for p in decoded.problems] == [("typeCode", "duplicate")]
    with pytest.raises(MetadataDecodeError):
        decode(tree, strict=True)


# How REFERENCE §3 names an item when it differs from the IHE attribute name.
_ALIASES = {"logicalId (`lid`)": "logicalID", "hash / size": "hash",
            "author (authorPerson/Institution/Role/Specialty)": "author",
            "intendedRecipient, homeCommunityId": "intendedRecipient",
            "eventCodeList": "eventCodeList"}


@pytest.mark.parametrize(("section", "carrier"), [("### 3.1 SubmissionSet", "SubmissionSet"),
                                                  ("### 3.2 DocumentEntry", "DocumentEntry")])
def test_mapping_covers_every_row_of_reference_section_3(section: str, carrier: str) -> None:
    reference = REPO_ROOT.parent / "shared" / "dmp" / "REFERENCE.md"
    if not reference.is_file():
        pytest.skip("../shared/dmp/REFERENCE.md is not beside the checkout")
    text = reference.read_text(encoding="utf-8")
    body = text.split(section, 1)[1].split("\n### ", 1)[0]
    names = [line.split("|")[1].strip() for line in body.splitlines()
             if line.startswith("| ") and not line.startswith("| Metadata")]
    mapped = {r.item for r in m.rows_of(carrier)}
    for name in names:
        if name == "Classification node":
            assert carrier == "SubmissionSet" and m.SUBMISSION_SET_NODE
            continue
        item = _ALIASES.get(name, name.split(" ")[0].strip("`"))
        assert item in mapped, f"REFERENCE §3 row {name!r} is not in the ebRIM mapping"
    assert len(names) >= 10


def test_two_values_in_a_single_valued_slot_break_its_cardinality() -> None:
    from dmpkit.metadata.validate import validate

    tree = encode(dmp_submission())
    slot = next(s for s in tree.iter(f"{{{RIM}}}Slot") if s.get("name") == "creationTime")
    etree.SubElement(slot[0], f"{{{RIM}}}Value").text = "20240102"
    decoded = decode(tree)
    assert decoded.metadata.documents[0].creation_time == "20240101120000"
    findings = validate(decoded.metadata, problems=decoded.problems)
    assert [f.rule_id for f in findings] == ["DMP-DE-CREATIONTIME-CARD"]
    assert findings[0].value == "20240101120000|20240102"
