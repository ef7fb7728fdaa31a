"""A DMP-conformant submission built from the facts and samples of REFERENCE §3 and §5.

A plain module (not conftest) so that test modules can import it by a unique name.
"""

from __future__ import annotations

from pathlib import Path

from dmpkit.identifiers import Cwe, Cx, Hd, Xcn, Xon
from dmpkit.metadata import Author, CodedValue, DocumentEntry, SubmissionSet, XdsMetadata
from dmpkit.metadata.builder import add_signature, set_content, submission

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTENT = b"<ClinicalDocument xmlns='urn:hl7-org:v3'/>"
# Stands for the XAdES of the lot (dmpkit.xades makes the real one; metadata rules see bytes).
SIGNATURE = b"<ds:Signature xmlns:ds='http://www.w3.org/2000/09/xmldsig#'/>"
CONTENTS = {"Document01": CONTENT, "Signature01": SIGNATURE}
INS = Cx("207058575627097", assigning_authority=Hd.iso("1.2.250.1.213.1.4.10"),
         identifier_type_code="NH")


def dmp_author() -> Author:
    return Author(
        person=Xcn.parse("899900063480^MAX^LIBRE^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"),
        institutions=[Xon.parse("HOPITAL DES 3 VALLEES00771^^^^^&1.2.250.1.71.4.2.2&ISO"
                                "^IDNST^^^10B0007712")],
        roles=[Cwe("PCP", "Médecin traitant", "2.16.840.1.113883.5.88")],
        specialties=[Cwe("G15_10/SM04", "Cardiologie", "1.2.250.1.213.1.1.4.5")],
    )


def dmp_submission() -> XdsMetadata:
    entry = DocumentEntry(
        entry_uuid="Document01",
        unique_id="1.2.250.1.999.1.1.20240101",
        patient_id=INS,
        mime_type="text/xml",
        title="CR de consultation",
        authors=[dmp_author()],
        class_code=CodedValue("10", "1.2.250.1.213.1.1.4.1", "Compte rendu"),
        type_code=CodedValue("11488-4", "2.16.840.1.113883.6.1", "CR de consultation"),
        format_code=CodedValue("urn:ihe:iti:xds-sd:pdf:2008", "1.3.6.1.4.1.19376.1.2.3"),
        healthcare_facility_type_code=CodedValue("SA01", "1.2.250.1.71.4.2.4"),
        practice_setting_code=CodedValue("ETABLISSEMENT", "1.2.250.1.213.1.1.4.9"),
        confidentiality_codes=[CodedValue("N", "2.16.840.1.113883.5.25", "Normal")],
        event_codes=[CodedValue("CT", "1.2.250.1.213.1.1.5.618")],
        creation_time="20240101120000",
        service_start_time="20240101100000",
        service_stop_time="20240101110000",
        language_code="fr-FR",
        legal_authenticator=Xcn.parse(
            "899900063480^MAX^LIBRE^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"),
        source_patient_id=Cx("IPP123", assigning_authority=Hd.iso("1.2.250.1.999.2"),
                             identifier_type_code="PI"),
        source_patient_info=["PID-5|DUPONT^JEAN^^^^^L", "PID-7|19600101", "PID-8|M"],
        reference_ids=[Cx("ACC1", assigning_authority=Hd.iso("1.2.250.1.999.3"),
                          identifier_type_code="urn:ihe:iti:xds:2013:accession")],
    )
    set_content(entry, CONTENT)
    lot = SubmissionSet(
        entry_uuid="SubmissionSet01",
        unique_id="1.2.250.1.999.1.2.20240101",
        source_id="1.2.250.1.999.1",
        patient_id=INS,
        submission_time="20240101130000",
        authors=[dmp_author()],
        content_type_code=CodedValue("04", "1.2.250.1.213.2.2", "Hospitalisation de jour"),
    )
    metadata = submission(lot, [entry])
    add_signature(metadata, SIGNATURE, unique_id="1.2.250.1.999.1.3.20240101")
    return metadata
