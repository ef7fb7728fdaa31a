"""CDA header → DocumentEntry, checked against the ANS example headers and REFERENCE §3.2."""

from __future__ import annotations

import hashlib
from pathlib import Path

from dmpkit.cda.builder import N1Builder
from dmpkit.cda.metadata import document_entry_from_cda
from dmpkit.cda.samples import sample_document
from dmpkit.findings import Severity
from dmpkit.xmlparse import parse_xml

C = "{urn:hl7-org:v3}"


def test_n1_example_maps_every_header_item(examples_dir: Path) -> None:
    data = (examples_dir / "DOC_NON_STRUCTURE_CDA-R2-N1.xml").read_bytes()
    root = parse_xml(data)
    result = document_entry_from_cda(data)
    entry = result.entry
    assert result.findings == ()
    assert entry.unique_id == root.find(C + "id").get("root")  # type: ignore[union-attr]
    assert entry.patient_id is not None
    assert entry.patient_id.format() == "279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH"
    assert entry.source_patient_id is not None
    assert entry.source_patient_id.identifier_type_code == "PI"
    assert entry.source_patient_info == ["PID-5|PAT-TROIS^DOMINIQUE^^^^^L", "PID-7|19790328",
                                         "PID-8|F"]
    assert entry.type_code is not None and entry.type_code.code == "11502-2"
    # ASS_X16/X04: a biology report (11502-2) is of class 10 "Compte rendu".
    assert entry.class_code is not None and entry.class_code.code == "10"
    assert entry.format_code is not None
    assert (entry.format_code.code, entry.format_code.scheme) == (
        "urn:ihe:iti:xds-sd:pdf:2008", "1.3.6.1.4.1.19376.1.2.3")
    assert entry.healthcare_facility_type_code is not None
    assert entry.healthcare_facility_type_code.code == "SA07"
    assert entry.practice_setting_code is not None
    assert entry.practice_setting_code.code == "AMBULATOIRE"
    assert [c.code for c in entry.confidentiality_codes] == ["N"]
    # effectiveTime 20210401134745+0100 → UTC.
    assert entry.creation_time == "20210401124745"
    assert (entry.service_start_time, entry.service_stop_time) == ("20210104124700",
                                                                  "20210104125500")
    assert entry.language_code == "fr-FR" and entry.mime_type == "text/xml"
    assert entry.legal_authenticator is not None
    assert entry.legal_authenticator.format().startswith("807505123456^Camparini^Marcel^")
    (author,) = entry.authors
    assert author.person is not None and author.person.identifier_type_code == "IDNPS"
    assert author.institutions[0].format() == (
        "Laboratoire des charmes^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1120459876")
    assert author.specialties[0].code == "G15_10/SM03"
    assert entry.hash == hashlib.sha1(data).hexdigest() and entry.size == len(data)
    assert entry.title == "Compte rendu d'examens biologiques"


def test_structured_document_format_code_comes_from_ass_a11(examples_dir: Path) -> None:
    entry = document_entry_from_cda((examples_dir / "LDL-SES_2022.01.xml").read_bytes()).entry
    assert entry.format_code is not None
    assert entry.format_code.code == "urn:asip:ci-sis:ldl-ses:2017"


def test_built_document_round_trips_its_inputs() -> None:
    spec = sample_document(media_type="text/plain", content=b"texte")
    entry = document_entry_from_cda(N1Builder().build(spec).xml).entry
    assert entry.unique_id == spec.document_id
    assert entry.format_code is not None
    assert entry.format_code.code == "urn:ihe:iti:xds-sd:text:2008"
    assert entry.type_code is not None and entry.type_code.code == spec.type_code.code
    assert entry.creation_time == "20240305093000"


def test_missing_header_items_are_reported() -> None:
    result = document_entry_from_cda(b'<ClinicalDocument xmlns="urn:hl7-org:v3"/>')
    items = {f.item for f in result.findings if f.severity is Severity.ERROR}
    assert {"DocumentEntry.uniqueId", "DocumentEntry.patientId", "DocumentEntry.formatCode",
            "DocumentEntry.creationTime", "DocumentEntry.legalAuthenticator"} <= items
