"""Every request the client builds is valid against its schema.

HL7 v3 and proprietary messages against the reconstructed DMP schemas (``specs/dmp/schemas``),
PDQv3 and XDS messages against the public IHE schemas of the spec store.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from dmpkit import xsdvalidate
from dmpkit.catalogue import load_catalogue
from dmpkit.cda.builder import N1Builder
from dmpkit.cda.metadata import document_entry_from_cda
from dmpkit.cda.samples import sample_document
from dmpkit.client import authorisations, feed, patients, pdq, retrieve, update
from dmpkit.client._core import Plan
from dmpkit.metadata import to_provide_and_register, to_submit_objects_request
from dmpkit.metadata.validate import validate
from dmpkit.pki import TestPki
from dmpkit.query import build_query
from dmpkit.vihf import VihfClaims, VihfSigner
from tests.client.helpers import ACTIVE

CATALOGUE = load_catalogue()
CLAIMS = VihfClaims()
RECORD = patients.PatientRecord(
    ACTIVE, "DMPKIT-ACTIF", "Claire", "F", "19790312", usage_family="MARTIN", prefix="MME",
    telecoms=(("MC", "tel:+33600000000"),), address=patients.Address("1 rue", "75014", "Paris"),
    vitale_holder=patients.VitaleHolder("DMPKIT-ACTIF", "Claire", "19790312"))


def first_body(plan: Plan[object]) -> etree._Element:
    return next(plan).body


HL7_MESSAGES = {
    "TD0.2": lambda: first_body(patients.test_existence(CATALOGUE, CLAIMS, ACTIVE)),
    "TD1.1": lambda: patients.create_dmp_message(CATALOGUE, CLAIMS, RECORD,
                                                 consent_date="20261126"),
    "TD1.2": lambda: patients.reactivate_dmp_message(CATALOGUE, CLAIMS, ACTIVE, "A", "B"),
    "TD1.3a": lambda: first_body(patients.read_admin_data(CATALOGUE, CLAIMS, ACTIVE)),
    "TD1.3b": lambda: patients.update_admin_data_message(CATALOGUE, CLAIMS, RECORD),
    "TD1.4": lambda: patients.close_dmp_message(
        CATALOGUE, CLAIMS, ACTIVE, "A", "B", reason_code="FERMETURE_DEMANDE_PATIENT",
        reason_text="Fermeture à la demande du patient"),
}


@pytest.mark.parametrize("transaction_id", sorted(HL7_MESSAGES))
def test_hl7v3_patient_messages_are_schema_valid(transaction_id: str, schema_store: Path
                                                 ) -> None:
    message = HL7_MESSAGES[transaction_id]()
    assert xsdvalidate.validate(message, "hl7v3", store=schema_store) == []
    reason = message.find("{urn:hl7-org:v3}controlActProcess/{urn:hl7-org:v3}reasonCode")
    assert reason is not None
    assert reason.get("code") == CATALOGUE.get(transaction_id).reason_code


PROPRIETARY = {
    "TD0.3-declare": lambda: authorisations.declare_authorisation(CATALOGUE, ACTIVE),
    "TD0.3-remove": lambda: authorisations.remove_authorisation(CATALOGUE, ACTIVE),
    "TD0.3-stop-mt": lambda: authorisations.stop_being_medecin_traitant(CATALOGUE, ACTIVE),
    "TD0.4": lambda: authorisations.list_authorised_patients(CATALOGUE, datetime(2026, 1, 1)),
    "TD1.6": lambda: authorisations.list_authorisations(CATALOGUE, ACTIVE),
}


@pytest.mark.parametrize("transaction_id", sorted(PROPRIETARY))
def test_proprietary_messages_are_schema_valid(transaction_id: str, schema_store: Path
                                               ) -> None:
    call = next(PROPRIETARY[transaction_id]())  # type: ignore[call-overload]
    family = "dmp-patients" if transaction_id == "TD0.4" else "dmp-habilitations"
    assert call.transaction.id == transaction_id
    assert call.body.tag == call.transaction.request_root
    assert xsdvalidate.validate(call.body, family, store=schema_store) == []


def test_pdq_query_is_schema_valid(spec_store: Path) -> None:
    search = pdq.PatientSearch("DMPKIT-ACTIF", "Claire", "F", "19790312", "75014", "Paris")
    message = pdq.search_message(CATALOGUE, CLAIMS, search)
    assert xsdvalidate.validate(message, "hl7v3", store=spec_store) == []


@pytest.fixture(scope="module")
def submission(pki: TestPki) -> tuple[object, dict[str, bytes]]:
    document = N1Builder().build(sample_document()).xml
    entry = document_entry_from_cda(document).entry
    return feed.build_submission(
        [feed.FeedDocument(document, entry,
                           replaces="urn:uuid:0b5c3b5e-1c7a-4a56-9d7e-111111111111")],
        patient=ACTIVE, claims=CLAIMS, signer=VihfSigner.from_certified_key(pki.sign),
        content_type_code=feed.CodedValue("04", "1.2.250.1.213.2.2"), source_id="2.25.1")


def test_feed_submission_is_schema_valid_and_follows_the_dmp_rules(
        submission: tuple[feed.XdsMetadata, dict[str, bytes]], spec_store: Path) -> None:
    metadata, contents = submission
    request = to_provide_and_register(metadata, contents)
    assert xsdvalidate.validate(request, "xdsb", store=spec_store) == []
    types = sorted(a.association_type.rsplit(":", 1)[-1] for a in metadata.associations)
    assert types == ["HasMember", "HasMember", "RPLC", "signs"]
    assert [f for f in validate(metadata, documents=contents)
            if f.severity == "error" and "Signature01" not in f.location] == []


def test_query_and_retrieve_requests_are_schema_valid(spec_store: Path) -> None:
    query = build_query("FindDocuments", patient_id=ACTIVE.to_cx(),
                        status=["urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"])
    assert xsdvalidate.validate(query, "query", store=spec_store) == []
    request = retrieve.retrieve_message([retrieve.DocumentRequest("1.2.3"),
                                         retrieve.DocumentRequest("1.2.4", "1.9", "urn:oid:1")])
    assert xsdvalidate.validate(request, "xdsb", store=spec_store) == []


def test_update_requests_are_schema_valid(spec_store: Path) -> None:
    from dmpkit.metadata import DocumentEntry

    entry = DocumentEntry(entry_uuid="urn:uuid:0b5c3b5e-1c7a-4a56-9d7e-111111111111",
                          unique_id="1.2.3", patient_id=None, logical_id="urn:uuid:0b5c3b5e-1c7a"
                          "-4a56-9d7e-111111111111", version="1")
    code = feed.CodedValue("04", "1.2.250.1.213.2.2")
    transaction_id, metadata = update.confidentiality_update(
        entry, add=[update.MASQUE_PS], patient=ACTIVE, claims=CLAIMS, source_id="2.25.1",
        content_type_code=code)
    assert transaction_id == "TD3.3a"
    assert metadata.associations[0].previous_version == "1"
    assert xsdvalidate.validate(to_submit_objects_request(metadata), "lcm",
                                store=spec_store) == []
    status = update.status_update(entry.entry_uuid, original=feed.m.APPROVED,
                                  new=feed.m.DELETED, patient=ACTIVE, claims=CLAIMS,
                                  source_id="2.25.1", content_type_code=code)
    assert xsdvalidate.validate(to_submit_objects_request(status), "lcm", store=spec_store) == []
