"""The catalogue-driven call path, against a scripted server answering real sample messages.

Answers are the DMP message instances of ``tests/fixtures/dmp`` (REFERENCE §1.3, §10) and the
IHE samples of the spec store; the requests the client sends are read back by the fake server
(Action, service path, MTOM, VIHF claims).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from dmpkit.catalogue import load_catalogue
from dmpkit.client import (
    AsyncDmpClient,
    DmpClient,
    DmpFaultError,
    DmpProtocolError,
    DmpRegistryError,
    DmpRejectedError,
    DmpRequestError,
    DmpStatusError,
    DocumentRequest,
    PatientSearch,
    VihfFactory,
)
from dmpkit.pki import TestPki
from dmpkit.transport import AsyncSoapHttpClient, SoapHttpClient, TransportConfig, asgi_transport
from dmpkit.vihf import InsIdentifier, PurposeOfUse, VihfSigner
from tests.client.fakes import Answer, FakeDmp
from tests.client.helpers import ACTIVE, BASE_URL, DIRECT, FAST, client_pem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dmp"
CATALOGUE = load_catalogue()


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def answer_of(transaction_id: str, payload: bytes, status: int = 200) -> Answer:
    """The normal answer of a transaction: its catalogue response Action around ``payload``."""
    action = CATALOGUE.get(transaction_id).response_action
    assert action is not None
    return Answer(payload=payload, action=action, status=status)


@pytest.fixture
def fake() -> FakeDmp:
    return FakeDmp()


@pytest.fixture
def client(fake: FakeDmp, pki: TestPki) -> Iterator[DmpClient]:
    http = SoapHttpClient(TransportConfig(BASE_URL),
                          transport=asgi_transport(fake, client_cert_pem=client_pem(pki)),
                          sleep=lambda _s: None)
    with DmpClient(http, VihfFactory(VihfSigner.from_certified_key(pki.sign), DIRECT),
                   settings=FAST) as client:
        yield client


def test_existence_found_decodes_status_authorisation_and_observations(
        client: DmpClient, fake: FakeDmp) -> None:
    fake.answers.append(answer_of("TD0.2", fixture("td02_PRPA_IN201308UV02.xml")))
    result = client.test_existence(ACTIVE)
    assert result.exists and result.data is not None
    assert result.data.authorisation == "VALIDE"
    assert result.data.medecin_traitant is False
    assert result.data.dmp_status == "active"
    assert result.data.attached_to_mon_espace_sante is True
    assert result.data.observations["COMPTE_INTERNET_OUVERT"] is False
    # REFERENCE §10.2: "NON RENSEIGNE" is a placeholder, not a usage name.
    assert result.data.usage_family is None and result.data.birth_family == "TESTUN"
    assert [root for root, _ in result.data.patient_ids] == ["1.2.250.1.213.1.4.2",
                                                            "1.2.250.1.213.1.4.10"]


def test_existence_request_follows_the_catalogue(client: DmpClient, fake: FakeDmp) -> None:
    fake.answers.append(answer_of("TD0.2", fixture("td02_PRPA_IN201308UV02_not_found.xml")))
    result = client.test_existence(ACTIVE, access_mode=PurposeOfUse.BRIS_DE_GLACE)
    assert not result.exists
    sent = fake.received[0]
    assert sent.path == "/si-dmp-server/v2/services/patients"
    assert sent.action == "urn:hl7-org:v3:PRPA_IN201307UV02"
    assert not sent.multipart
    assert sent.claims is not None
    assert sent.claims.resource_id == ACTIVE
    assert sent.claims.purpose_of_use is PurposeOfUse.BRIS_DE_GLACE
    reason = sent.payload.find("{urn:hl7-org:v3}controlActProcess/{urn:hl7-org:v3}reasonCode")
    assert reason is not None and reason.get("code") == "TEST_EXST"


def test_read_admin_data_uses_its_own_reason_code(client: DmpClient, fake: FakeDmp) -> None:
    fake.answers.append(answer_of("TD1.3a", fixture("td02_PRPA_IN201308UV02.xml")))
    data = client.read_admin_data(ACTIVE)
    assert data.given == "MARIE"
    reason = fake.received[0].payload.find(
        "{urn:hl7-org:v3}controlActProcess/{urn:hl7-org:v3}reasonCode")
    assert reason is not None and reason.get("code") == "CNSLT_DATA"


def test_unexpected_response_action_is_a_protocol_error(client: DmpClient, fake: FakeDmp
                                                        ) -> None:
    fake.answers.append(Answer(payload=fixture("td02_PRPA_IN201308UV02.xml"),
                               action="urn:hl7-org:v3:PRPA_IN201312UV02"))
    with pytest.raises(DmpProtocolError) as caught:
        client.test_existence(ACTIVE)
    assert caught.value.code == "dmpkit:UnexpectedAction"
    assert caught.value.transaction == "TD0.2"


def test_unexpected_root_is_a_protocol_error(client: DmpClient, fake: FakeDmp) -> None:
    fake.answers.append(answer_of("TD0.2", fixture("td14_PRPA_IN201315UV02.xml")))
    with pytest.raises(DmpProtocolError) as caught:
        client.test_existence(ACTIVE)
    assert caught.value.code == "dmpkit:UnexpectedRoot"


def test_fault_carries_the_dmp_subcode_and_french_reason(client: DmpClient, fake: FakeDmp
                                                         ) -> None:
    # REFERENCE §10.2: DMPInvalidCertificate, "Le certificat ayant signé le VIHF est invalide".
    fake.answers.append(Answer(fault=("Sender", "Le certificat ayant signé le VIHF est invalide",
                                      ("DMPInvalidCertificate",))))
    with pytest.raises(DmpFaultError) as caught:
        client.test_existence(ACTIVE)
    assert caught.value.code == "DMPInvalidCertificate"
    assert caught.value.fault_code == "Sender"
    assert "certificat" in caught.value.text


def test_hl7_rejection_carries_code_and_text(client: DmpClient, fake: FakeDmp) -> None:
    from dmpkit.client import PatientRecord

    fake.answers.append(answer_of("TD1.1", fixture("td11_PRPA_IN201313UV02.xml")))
    with pytest.raises(DmpRejectedError) as caught:
        client.create_dmp(PatientRecord(ACTIVE, "TESTUN", "MARIE", "F", "19700507"))
    assert (caught.value.code, caught.value.text) == ("DMPFound", "Le DMP existe déjà")
    assert caught.value.acknowledgement == "AE"


def test_close_accepted(client: DmpClient, fake: FakeDmp) -> None:
    fake.answers.append(answer_of("TD1.4", fixture("td14_PRPA_IN201315UV02.xml")))
    ack = client.close_dmp(ACTIVE, family="TESTUN", given="MARIE")
    assert ack.interaction == "PRPA_IN201315UV02"


@pytest.mark.parametrize("status", ["DMPOk", "DMPOK", "dmpok"])
def test_proprietary_success_is_case_insensitive(client: DmpClient, fake: FakeDmp,
                                                 status: str) -> None:
    payload = fixture("td03_setAuthorizationResponse.xml").replace(b"DMPOk", status.encode())
    fake.answers.append(answer_of("TD0.3-declare", payload))
    result = client.declare_authorisation(ACTIVE)
    assert result.status == status
    assert result.context == "Autorisation déjà présente aucune action effectuée"
    body = fake.received[0].payload
    assert [child.text for child in body] == ["AJOUT"]


def test_proprietary_failure_status_is_typed(client: DmpClient, fake: FakeDmp) -> None:
    payload = (b'<setAuthorizationResponse xmlns="urn:si-dmp-habilitations">'
               b"<status>DMPAccessDenied</status><context>refus</context>"
               b"</setAuthorizationResponse>")
    fake.answers.append(answer_of("TD0.3-stop-mt", payload))
    with pytest.raises(DmpStatusError) as caught:
        client.stop_being_medecin_traitant(ACTIVE)
    assert (caught.value.code, caught.value.text) == ("DMPAccessDenied", "refus")
    assert [c.text for c in fake.received[0].payload] == ["SUPPRESSION", "MEDECIN_TRAITANT"]


def test_patient_list_is_not_patient_scoped(client: DmpClient, fake: FakeDmp) -> None:
    fake.answers.append(answer_of("TD0.4", fixture("td04_patientListResponse.xml")))
    patients = client.list_authorised_patients(datetime(2026, 1, 1))
    assert [(p.ins, p.medecin_traitant, p.last_name) for p in patients] == [
        ("207058575627097", False, "TESTUN")]
    sent = fake.received[0]
    assert sent.claims is not None and sent.claims.resource_id is None
    assert sent.path.endswith("/patientsSpecific")
    assert [c.text for c in sent.payload] == ["20260101000000", "LASTAUTORIZATION"]


def test_authorisation_list(client: DmpClient, fake: FakeDmp) -> None:
    fake.answers.append(answer_of("TD1.6", fixture("td16_listAuthorizationByPatientResponse.xml")))
    listed = client.list_authorisations(ACTIVE, mode="TOUTE")
    assert [(a.national_id, a.mode) for a in listed] == [("899900077985", "ACTIVE"),
                                                         ("899900012345", "INTERDITE")]


def test_pdq_decodes_the_ihe_sample_and_sends_centre_15(client: DmpClient, fake: FakeDmp,
                                                        spec_store: Path) -> None:
    sample = (spec_store / "examples/hl7v3-pdq/02_PDQQuery1Response.xml").read_bytes()
    fake.answers.append(answer_of("TD0.5", sample))
    found = client.search_patients(PatientSearch("Jones", "James"))
    assert found and found[0].given == "James"
    assert fake.received[0].claims is not None
    assert fake.received[0].claims.purpose_of_use is PurposeOfUse.CENTRE_15
    assert fake.received[0].claims.resource_id is None


def test_idempotent_transaction_is_retried_on_503(client: DmpClient, fake: FakeDmp) -> None:
    fake.answers += [Answer(raw=b"busy", status=503, content_type="text/plain"),
                     answer_of("TD0.2", fixture("td02_PRPA_IN201308UV02.xml"))]
    assert client.test_existence(ACTIVE).exists
    assert len(fake.received) == 2


def test_non_idempotent_transaction_is_not_retried(client: DmpClient, fake: FakeDmp) -> None:
    from dmpkit.client import PatientRecord

    fake.answers += [Answer(raw=b"busy", status=503, content_type="text/plain"),
                     answer_of("TD1.1", fixture("td11_PRPA_IN201312UV02.xml"))]
    with pytest.raises(DmpProtocolError) as caught:
        client.create_dmp(PatientRecord(ACTIVE, "TESTUN", "MARIE", "F", "19700507"))
    assert caught.value.code == "dmpkit:HttpStatus"
    assert len(fake.received) == 1


def test_feed_travels_as_mtom_with_a_signed_submission(client: DmpClient, fake: FakeDmp,
                                                       spec_store: Path) -> None:
    from dmpkit.cda.builder import N1Builder
    from dmpkit.cda.samples import sample_document
    from dmpkit.client import FeedDocument

    sample = (spec_store / "examples/ihe-xds-b/ProvideAndRegisterDocumentSet-bResponse.xml")
    fake.answers.append(answer_of("TD2.1", sample.read_bytes()))
    cda = N1Builder().build(sample_document()).xml
    result = client.submit_documents(ACTIVE, [FeedDocument.from_cda(cda)])
    sent = fake.received[0]
    assert sent.multipart and "multipart/related" in sent.content_type
    assert sent.action == "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
    documents = sent.payload.findall("{urn:ihe:iti:xds-b:2007}Document")
    assert len(documents) == 2  # the CDA and the XAdES signature of the set
    associations = {a.get("associationType") for a in sent.payload.iter(
        "{urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0}Association")}
    assert "urn:ihe:iti:2007:AssociationType:signs" in associations
    assert result.document_unique_ids == ("1.2.250.1.999.1.2024.1",)


def test_registry_failure_lists_every_error(client: DmpClient, fake: FakeDmp) -> None:
    failure = (b'<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" '
               b'status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure">'
               b"<rs:RegistryErrorList><rs:RegistryError errorCode=\"XDSRegistryError\" "
               b'codeContext="seulement l\'auteur" location="" severity="urn:oasis:names:tc:'
               b'ebxml-regrep:ErrorSeverityType:Error"/></rs:RegistryErrorList>'
               b"</rs:RegistryResponse>")
    fake.answers.append(answer_of("TD3.3c", failure))
    with pytest.raises(DmpRegistryError) as caught:
        client.delete_document(ACTIVE, "urn:uuid:0b5c3b5e-1c7a-4a56-9d7e-111111111111")
    assert caught.value.code == "XDSRegistryError"
    assert len(caught.value.errors) == 1


def test_retrieve_decodes_the_ihe_sample(client: DmpClient, fake: FakeDmp, spec_store: Path
                                         ) -> None:
    sample = (spec_store / "examples/ihe-xds-b/RetrieveDocumentSetResponse.xml").read_bytes()
    fake.answers.append(answer_of("TD3.2", sample))
    documents = client.retrieve_documents(ACTIVE, ["1.2.3", DocumentRequest("1.2.4", "1.9")])
    assert len(documents) == 2
    assert documents[0].content.startswith(b"R0lGODlh")  # base64 text of the sample, decoded
    requests = fake.received[0].payload
    assert [r.findtext("{urn:ihe:iti:xds-b:2007}DocumentUniqueId") for r in requests] == [
        "1.2.3", "1.2.4"]


def test_entry_uuid_as_unique_id_is_refused_before_sending(client: DmpClient, fake: FakeDmp
                                                           ) -> None:
    with pytest.raises(DmpRequestError, match="XDSDocumentUniqueIdError"):
        client.retrieve_documents(ACTIVE, ["urn:uuid:0b5c3b5e-1c7a-4a56-9d7e-111111111111"])
    assert fake.received == []


def test_patient_scoped_call_needs_a_patient(pki: TestPki) -> None:
    factory = VihfFactory(VihfSigner.from_certified_key(pki.sign), DIRECT)
    with pytest.raises(DmpRequestError, match="resource-id"):
        factory.claims_for(CATALOGUE.get("TD3.1"), None)
    # not patient-scoped: no resource-id even if one is given
    assert factory.claims_for(CATALOGUE.get("TD0.4"), InsIdentifier("207058575627097")
                              ).resource_id is None


async def test_async_client_drives_the_same_plans(fake: FakeDmp, pki: TestPki) -> None:
    fake.answers.append(answer_of("TD0.2", fixture("td02_PRPA_IN201308UV02.xml")))
    http = AsyncSoapHttpClient(TransportConfig(BASE_URL),
                               transport=asgi_transport(fake, client_cert_pem=client_pem(pki)))
    async with AsyncDmpClient(http, VihfFactory(VihfSigner.from_certified_key(pki.sign),
                                                DIRECT)) as client:
        result = await client.test_existence(InsIdentifier("207058575627097"))
    assert result.exists
    assert fake.received[0].claims is not None
    assert fake.received[0].claims.resource_id == InsIdentifier("207058575627097")
