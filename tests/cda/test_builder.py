"""The N1 builder: its output passes every validation layer; bad inputs are refused."""

from __future__ import annotations

import base64

import pytest

from dmpkit.cda import inputs as cda_in
from dmpkit.cda.builder import N1_FORMATS, N1Builder, N1BuildError
from dmpkit.cda.pdfa import pdfa_findings, pdfa_info
from dmpkit.cda.samples import minimal_pdf, sample_document
from dmpkit.cda.schematron.runner import CompiledSchematron
from dmpkit.cda.validation import LayerStatus, validate_cda
from dmpkit.findings import Severity
from dmpkit.xmlparse import parse_xml

C = "{urn:hl7-org:v3}"


def test_pdf_document_passes_xsd_and_header(header_schematron: CompiledSchematron) -> None:
    result = N1Builder().build(sample_document())
    assert result.findings == ()
    assert result.format_code == "urn:ihe:iti:xds-sd:pdf:2008"
    report = validate_cda(result.xml)
    assert report.layer("xsd").status is LayerStatus.PASSED
    assert report.layer("header").status is LayerStatus.PASSED, report.layer("header").findings
    assert report.passed


def test_header_elements_and_embedded_pdf() -> None:
    pdf = minimal_pdf(1)
    root = parse_xml(N1Builder().build(sample_document(content=pdf)).xml)
    assert [t.get("root") for t in root.findall(C + "templateId")] == [
        "2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1", "1.3.6.1.4.1.19376.1.2.20"]
    for tag in ("realmCode", "typeId", "id", "code", "title", "effectiveTime",
                "confidentialityCode", "languageCode", "setId", "versionNumber",
                "recordTarget", "custodian", "legalAuthenticator", "componentOf"):
        assert len(root.findall(C + tag)) == 1, tag
    text = root.find(f"{C}component/{C}nonXMLBody/{C}text")
    assert text is not None and text.get("mediaType") == "application/pdf"
    assert text.get("representation") == "B64"
    assert base64.b64decode(text.text or "") == pdf
    patient_id = root.find(f"{C}recordTarget/{C}patientRole/{C}id")
    assert patient_id is not None and patient_id.get("root") == "1.2.250.1.213.1.4.10"


def test_text_document_and_replacement_pass_tlm_cr(header_schematron: CompiledSchematron) -> None:
    # TLM-CR (code 85208-7) is the one N1 type with a schematron of its own.
    spec = sample_document(
        content="Compte rendu de téléconsultation\n".encode(), media_type="text/plain",
        type_code=cda_in.Code("85208-7", "2.16.840.1.113883.6.1",
                              "Compte rendu de téléconsultation", "LOINC"),
        replaces=cda_in.ReplacedDocument("1.2.250.1.999.1.2023.7"), version_number=2)
    spec = sample_document(**{**{f: getattr(spec, f) for f in spec.__dataclass_fields__},
                              "service_event": cda_in.ServiceEvent(
                                  spec.service_event.start, spec.service_event.performer,
                                  spec.service_event.performer_organization,
                                  spec.service_event.practice_setting,
                                  code=cda_in.Code("TLM", "1.2.250.1.213.2.29",
                                                   "Téléconsultation"),
                                  end=spec.service_event.end)})
    result = N1Builder().build(spec)
    assert result.format_code == "urn:ihe:iti:xds-sd:text:2008"
    root = parse_xml(result.xml)
    related = root.find(f"{C}relatedDocument")
    assert related is not None and related.get("typeCode") == "RPLC"
    report = validate_cda(result.xml)
    assert report.layer("document-type").status is LayerStatus.PASSED
    assert report.layer("document-type").source.endswith("CI-SIS_TLM-CR_2022.01.sch")
    assert report.passed, report.to_dict()


def test_plain_pdf_gets_a_pdfa_warning() -> None:
    result = N1Builder().build(sample_document(content=minimal_pdf(None)))
    (warning,) = result.findings
    assert warning.severity is Severity.WARNING and warning.rule_id == "CDA-N1-PDFA"


def test_pdfa_detection_reads_the_xmp_packet() -> None:
    assert pdfa_info(minimal_pdf(1)) == (1, "B")
    assert pdfa_info(minimal_pdf(2)) == (2, "B")
    assert pdfa_info(minimal_pdf(None)) == (None, None)
    assert pdfa_findings(minimal_pdf(2))[0].value == "PDF/A-2b"
    assert pdfa_findings(b"hello")[0].severity is Severity.ERROR


@pytest.mark.parametrize(("changes", "message"), [
    ({"media_type": "application/msword"}, "not allowed in an N1 body"),
    ({"authors": []}, "at least one author"),
    ({"content": b""}, "empty"),
])
def test_bad_inputs_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(N1BuildError, match=message):
        N1Builder().build(sample_document(**changes))


def test_media_types_are_the_ci_sis_ones() -> None:
    assert set(N1_FORMATS) == {"application/pdf", "text/plain", "image/jpeg", "text/rtf",
                               "image/tiff"}
