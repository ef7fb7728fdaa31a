"""``dmpkit.local``: the local SI DMP and its clients, in-process and over HTTPS with mTLS."""

from __future__ import annotations

from datetime import date

from dmpkit.local import LocalDmp, n1_document, wire
from dmpkit.transport import WireCapture
from dmpkit.vihf import InsIdentifier
from dmpkit.xmlparse import parse_xml

ACTIVE = InsIdentifier("279035121518989")


def test_https_on_loopback_with_mutual_tls() -> None:
    with LocalDmp(https=True) as local:
        assert local.transport_name.startswith("HTTPS https://localhost:")
        assert local.client().test_existence(ACTIVE).exists
        folder = local.folder
    assert not folder.exists(), "the temporary folder is removed on close"


def test_wire_shows_the_messages_without_the_vihf_by_default() -> None:
    capture = WireCapture(redact=False)
    with LocalDmp(capture=capture) as local:
        local.client().test_existence(ACTIVE)
    text = wire(capture)
    assert "<wsa:Action soap:mustUnderstand=\"true\">urn:hl7-org:v3:PRPA_IN201307UV02" in text
    assert "<<< 200" in text
    assert "saml:Assertion" in text and "SignatureValue" not in text
    assert "SignatureValue" in wire(capture, security=True)
    assert "<<<" not in wire(capture, response=False)


def test_n1_document_is_a_cda_for_the_patient() -> None:
    cda = parse_xml(n1_document(ACTIVE, birth_name="DMPKIT-ACTIF", given="Claire", gender="F",
                                birth_date=date(1979, 3, 12), document_id="1.2.3"))
    hl7 = "{urn:hl7-org:v3}"
    assert cda.tag == f"{hl7}ClinicalDocument"
    assert cda.find(f"{hl7}id").get("root") == "1.2.3"  # type: ignore[union-attr]
    patient_id = cda.find(f"{hl7}recordTarget/{hl7}patientRole/{hl7}id")
    assert patient_id is not None and patient_id.get("extension") == ACTIVE.matricule
