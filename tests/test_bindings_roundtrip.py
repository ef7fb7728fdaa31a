"""Every public sample message parses into the generated classes and comes back intact.

For each instance under ``examples/{ihe-xds-b,ihe-rmd,hl7v3-pdq,hl7v3-pix,svs,cda-r2,cda}``
(SOAP-wrapped samples: the Body payload, and the whole envelope), the test parses with
:func:`dmpkit.bindings.parse`, serialises with :func:`dmpkit.bindings.serialize` (passing
the prefixes and ``xsi:schemaLocation`` read from the input), and compares the exclusive
C14N of input and output, then XSD-validates the output.

Normalisations applied to BOTH sides before comparing, and why:

* **Comments** are not compared: the bindings have no model for comments (nor for the
  text that follows a comment).
* **White space in element-only content** (indentation between elements, and
  white-space-only text in an element that has no non-white-space text, e.g.
  ``<code> </code>``) is dropped: XSD gives it no meaning for element-only content. In
  mixed content (an element with non-white-space text, e.g. CDA narrative) every text
  node is compared, white space included.
* **Namespace declaration placement**: exclusive C14N writes each declaration where it is
  used. Prefixes are compared (the test passes the input's prefixes to the serialiser).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from dmpkit import bindings
from dmpkit.specstore import spec_store_dir
from dmpkit.xmlparse import XmlForbiddenConstructError, parse_xml
from dmpkit.xsdvalidate import validate

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
XSI_SCHEMA_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
EXAMPLE_FOLDERS = ("ihe-xds-b", "ihe-rmd", "hl7v3-pdq", "hl7v3-pix", "svs", "cda-r2", "cda")
REPO_ROOT = Path(__file__).resolve().parent.parent
# The XSD each sample is valid against (family names of dmpkit.xsdvalidate).
SCHEMA_BY_NAMESPACE = {
    "urn:ihe:iti:xds-b:2007": "xdsb",
    "urn:ihe:iti:rmd:2017": "rmd",
    "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0": "query",
    "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0": "lcm",
    "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0": "rs",
    "urn:ihe:iti:svs:2008": "svs",
    SOAP12: "soap12",
}


def _example_store() -> Path:
    # Same search as the `spec_store` fixture, needed at collection time for parametrize.
    for folder in (spec_store_dir(), REPO_ROOT.parent / "shared" / "specs"):
        if (folder / "examples").is_dir():
            return folder
    return REPO_ROOT.parent / "shared" / "specs"


def _examples() -> list[Path]:
    store = _example_store()
    return sorted(
        p for folder in EXAMPLE_FOLDERS for p in (store / "examples" / folder).glob("*.xml")
    )


def _schema_for(element: etree._Element, example: Path) -> str:
    folder = example.parent.name
    if folder == "cda-r2":
        return "cda-r2"
    if folder == "cda":
        return "cda"
    if folder.startswith("hl7v3"):
        return "hl7v3"
    return SCHEMA_BY_NAMESPACE[etree.QName(element).namespace or ""]


def canonical(element: etree._Element) -> bytes:
    """Exclusive C14N of a copy of ``element`` with the module's normalisations."""
    copy = parse_xml(etree.tostring(element))
    for node in copy.iter(etree.Element):
        pieces = [node.text, *(child.tail for child in node)]
        if len(node) and any(piece and piece.strip() for piece in pieces):
            continue  # mixed content: every text node counts
        if node.text is not None and not node.text.strip():
            node.text = None
        for child in node:
            if child.tail is not None and not child.tail.strip():
                child.tail = None
    return etree.tostring(copy, method="c14n", exclusive=True, with_comments=False)


def document_prefixes(root: etree._Element) -> dict[str | None, str]:
    """Every prefix declared anywhere in the document (first declaration wins)."""
    prefixes: dict[str | None, str] = {}
    for node in root.iter(etree.Element):
        for prefix, uri in node.nsmap.items():
            prefixes.setdefault(prefix, uri)
    return prefixes


def round_trip(source: etree._Element) -> tuple[object, etree._Element]:
    data = etree.tostring(source)
    obj = bindings.parse(data)
    out = bindings.serialize(
        obj, ns_map=document_prefixes(source), schema_location=source.get(XSI_SCHEMA_LOCATION)
    )
    return obj, parse_xml(out)


def _payloads(example: Path) -> list[tuple[str, etree._Element]]:
    root = parse_xml(example.read_bytes())
    if not example.name.endswith("_SOAP.xml"):
        return [("document", root)]
    body = root.find(f"{{{SOAP12}}}Body")
    assert body is not None and len(body) == 1
    payload = parse_xml(etree.tostring(body[0]))
    return [("body", payload), ("envelope", root)]


EXAMPLES = _examples()


def test_every_example_folder_has_samples() -> None:
    folders = {example.parent.name for example in EXAMPLES}
    assert folders == set(EXAMPLE_FOLDERS)
    assert len(EXAMPLES) >= 44


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_round_trips_c14n_equal_and_valid(example: Path, spec_store: Path) -> None:
    for part, source in _payloads(example):
        expected = canonical(source)
        _, output = round_trip(source)
        assert canonical(output) == expected, f"{part} of {example.name} changed"
        issues = validate(output, _schema_for(output, example), store=spec_store)
        assert issues == [], f"{part} of {example.name}: {[str(i) for i in issues]}"


DMP_FIXTURES = sorted((REPO_ROOT / "tests" / "fixtures" / "dmp").glob("*.xml"))
DMP_SCHEMA_BY_NAMESPACE = {
    "urn:hl7-org:v3": "hl7v3",
    "urn:si-dmp-patients": "dmp-patients",
    "urn:si-dmp-habilitations": "dmp-habilitations",
}


@pytest.mark.parametrize("fixture", DMP_FIXTURES, ids=lambda p: p.name)
def test_dmp_fixture_round_trips_c14n_equal(fixture: Path) -> None:
    # The project's DMP messages (tests/fixtures/dmp), against the reconstructed schemas.
    source = parse_xml(fixture.read_bytes())
    _, output = round_trip(source)
    assert canonical(output) == canonical(source)


@pytest.mark.parametrize("fixture", DMP_FIXTURES, ids=lambda p: p.name)
def test_dmp_fixture_output_is_valid(fixture: Path, spec_store: Path) -> None:
    if not (spec_store / "dmp" / "schemas").is_dir():
        pytest.skip(f"{spec_store} lacks dmp/schemas: run `python -m codegen fetch`")
    source = parse_xml(fixture.read_bytes())
    _, output = round_trip(source)
    schema = DMP_SCHEMA_BY_NAMESPACE[etree.QName(output).namespace or ""]
    assert [str(i) for i in validate(output, schema, store=spec_store)] == []


def _registry_object_order(elements: list[etree._Element]) -> list[str]:
    return [etree.QName(e).localname for e in elements]


def test_registry_object_list_keeps_mixed_order(spec_store: Path) -> None:
    example = spec_store / "examples/ihe-xds-b/ProvideAndRegisterDocumentSet-bRequest.xml"
    source = parse_xml(example.read_bytes())
    rim = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
    listed = source.find(f".//{{{rim}}}RegistryObjectList")
    assert listed is not None
    expected = _registry_object_order(list(listed))
    assert len(set(expected)) >= 3  # the sample mixes ExtrinsicObject, RegistryPackage, ...

    obj, output = round_trip(source)
    items = obj.submit_objects_request.registry_object_list.choice  # type: ignore[attr-defined]
    assert [type(item).__name__ for item in items] == expected
    listed_out = output.find(f".//{{{rim}}}RegistryObjectList")
    assert listed_out is not None
    assert _registry_object_order(list(listed_out)) == expected


def test_cda_narrative_mixed_content_keeps_text_and_inline_order(spec_store: Path) -> None:
    example = spec_store / "examples/cda-r2/SampleCDADocument.xml"
    source = parse_xml(example.read_bytes())
    hl7 = "{urn:hl7-org:v3}"
    text = next(t for t in source.iter(f"{hl7}text") if t.find(f"{hl7}content") is not None)
    expected = "".join(text.itertext())
    _, output = round_trip(source)
    texts = [t for t in output.iter(f"{hl7}text") if t.find(f"{hl7}content") is not None]
    assert "".join(texts[0].itertext()) == expected
    assert [child.tag for child in texts[0]] == [child.tag for child in text]


def test_redundant_xsi_type_is_kept(spec_store: Path) -> None:
    # <time xsi:type="IVL_TS"> where the schema already declares IVL_TS (ANS samples).
    example = spec_store / "examples/cda/TLM-CR_2022.01.xml"
    source = parse_xml(example.read_bytes())
    xsi_type = "{http://www.w3.org/2001/XMLSchema-instance}type"
    before = [e.get(xsi_type) for e in source.iter() if e.get(xsi_type)]
    _, output = round_trip(source)
    after = [e.get(xsi_type) for e in output.iter() if e.get(xsi_type)]
    assert "IVL_TS" in before
    assert after == before


def test_absent_default_attributes_stay_absent(spec_store: Path) -> None:
    # rim:ExtrinsicObject has isOpaque (default false), query has startIndex (default 0).
    example = spec_store / "examples/ihe-xds-b/RegistryStoredQueryRequest.xml"
    source = parse_xml(example.read_bytes())
    assert source.get("startIndex") is None
    obj, output = round_trip(source)
    assert obj.start_index is None  # type: ignore[attr-defined]
    assert output.get("startIndex") is None and output.get("federated") is None


@pytest.mark.parametrize(
    ("qname", "module", "name"),
    [
        (f"{{{SOAP12}}}Envelope", "dmpkit_bindings.soap12", "Envelope"),
        ("{urn:oasis:names:tc:SAML:2.0:assertion}Assertion", "dmpkit_bindings.saml", "Assertion"),
        ("{urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0}ExtrinsicObject", "dmpkit_bindings.rim",
         "ExtrinsicObject"),
        ("{urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0}SubmitObjectsRequest",
         "dmpkit_bindings.lcm", "SubmitObjectsRequest"),
        ("{urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0}AdhocQueryResponse",
         "dmpkit_bindings.query", "AdhocQueryResponse"),
        ("{urn:ihe:iti:xds-b:2007}ProvideAndRegisterDocumentSetRequest", "dmpkit_bindings.xdsb",
         "ProvideAndRegisterDocumentSetRequest"),
        ("{urn:ihe:iti:xds-b:2007}RetrieveDocumentSetResponse", "dmpkit_bindings.xdsb",
         "RetrieveDocumentSetResponse"),
        ("{urn:hl7-org:v3}PRPA_IN201305UV02", "dmpkit_bindings.hl7v3", "PRPA_IN201305UV02"),
        ("{urn:hl7-org:v3}ClinicalDocument", "dmpkit_bindings.cda", "ClinicalDocument"),
    ],
)
def test_class_for_root_finds_the_generated_class(qname: str, module: str, name: str) -> None:
    found = bindings.class_for_root(qname)
    assert found.__name__ == name
    assert found.__module__.startswith(module + ".")


def test_unknown_namespace_is_a_typed_error() -> None:
    with pytest.raises(bindings.UnknownRootElementError, match="urn:example:nothing"):
        bindings.parse(b"<x xmlns='urn:example:nothing'/>")


def test_unknown_child_element_is_a_binding_error() -> None:
    message = (b"<rs:RegistryResponse xmlns:rs='urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0'"
               b" status='x'><rs:Surprise/></rs:RegistryResponse>")
    with pytest.raises(bindings.BindingError, match="Surprise"):
        bindings.parse(message)


def test_parse_goes_through_the_hardened_parser() -> None:
    hostile = (b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY e 'x'>]>"
               b"<rs:RegistryResponse xmlns:rs='urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0'"
               b" status='&e;'/>")
    with pytest.raises(XmlForbiddenConstructError):
        bindings.parse(hostile)


def test_serialize_refuses_non_binding_objects() -> None:
    with pytest.raises(bindings.BindingError):
        bindings.serialize({"not": "a binding"})


def test_importing_dmpkit_loads_no_hl7v3_or_cda_bindings(tmp_path: Path) -> None:
    probe = (
        "import sys, dmpkit, dmpkit.bindings\n"
        "from dmpkit import bindings\n"
        "bindings.parse(b\"<rs:RegistryResponse"
        " xmlns:rs='urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0' status='s'/>\")\n"
        "heavy = sorted(m for m in sys.modules if m.startswith(('dmpkit_bindings.hl7v3',"
        " 'dmpkit_bindings.cda')))\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=tmp_path, check=True)
    assert result.stdout.strip() == "[]"
