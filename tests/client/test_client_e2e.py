"""Every client method against the local SI DMP, in-process: happy path and documented errors.

The server is :mod:`dmpkit.simulator` seeded with ``specs/dmp/seed.toml``; errors are those of
REFERENCE §6.3 and §10.2 (DMPFound, DMPClosed, DMPAccessDeniedByRightsService,
XDSDocumentUniqueIdError…) and the functional rights of §10.3.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from dmpkit.cda.builder import N1Builder
from dmpkit.cda.samples import sample_document
from dmpkit.client import (
    DmpClient,
    DmpFaultError,
    DmpRegistryError,
    DmpRejectedError,
    DmpRequestError,
    FeedDocument,
    PatientRecord,
    PatientSearch,
)
from dmpkit.metadata import DocumentEntry
from dmpkit.metadata import ebrim_map as m
from dmpkit.simulator.app import HANDLERS
from dmpkit.vihf import AuthentificationMode, InsIdentifier, PurposeOfUse
from tests.client.helpers import ABSENT, ACTIVE, CLOSED, EMPTY

BLOCKED = InsIdentifier("155091307700172")
PAUL = ("899900011111", "DMPKIT-TEST, Paul")  # the active patient's médecin traitant
Factory = Callable[..., DmpClient]


def needs_handler(transaction_id: str) -> pytest.MarkDecorator:
    """Skip while the local server has no handler (the coverage test reports it as a failure)."""
    return pytest.mark.skipif(transaction_id not in HANDLERS,
                              reason=f"the simulator has no handler for {transaction_id} yet")


def cda(**changes: object) -> bytes:
    return N1Builder().build(sample_document(**changes)).xml


def current(dmp: DmpClient, unique_id: str) -> DocumentEntry:
    documents = dmp.search_documents(ACTIVE, "GetDocuments", unique_id=[unique_id])
    return next(d for d in documents.metadata.documents
                if d.availability_status in (m.APPROVED, m.ARCHIVED))


# --- TD0.x -----------------------------------------------------------------------------------

def test_existence_active_absent_closed(dmp: DmpClient) -> None:
    found = dmp.test_existence(ACTIVE)
    assert found.exists and found.data is not None
    assert (found.data.authorisation, found.data.dmp_status) == ("VALIDE", "active")
    assert not dmp.test_existence(ABSENT).exists
    closed = dmp.test_existence(CLOSED)
    assert closed.data is not None and closed.data.patient_status == "terminated"


def test_existence_shows_a_blocked_authorisation(dmp: DmpClient) -> None:
    result = dmp.test_existence(BLOCKED)
    assert result.data is not None and result.data.authorisation == "INTERDIT"


def test_declare_authorisation_is_idempotent(dmp: DmpClient) -> None:
    first = dmp.declare_authorisation(ACTIVE)
    assert first.status.lower() == "dmpok"
    assert "déjà" in first.context


def test_declare_authorisation_refused_in_bris_de_glace(dmp: DmpClient) -> None:
    with pytest.raises(DmpFaultError) as caught:
        dmp.declare_authorisation(EMPTY, access_mode=PurposeOfUse.BRIS_DE_GLACE)
    assert caught.value.code == "DMPAccessDeniedByRightsService"


def test_remove_authorisation_then_existence_shows_it(dmp: DmpClient) -> None:
    assert dmp.remove_authorisation(ACTIVE).status.lower() == "dmpok"
    data = dmp.test_existence(ACTIVE).data
    assert data is not None and data.authorisation != "VALIDE"


def test_stop_being_medecin_traitant(dmp: DmpClient, as_professional: Factory) -> None:
    assert as_professional(*PAUL).stop_being_medecin_traitant(ACTIVE).status.lower() == "dmpok"
    with pytest.raises(DmpFaultError) as caught:
        dmp.stop_being_medecin_traitant(ACTIVE)
    assert caught.value.code == "DMPAccessDeniedByRightsService"


@needs_handler("TD0.4")
def test_list_authorised_patients(dmp: DmpClient) -> None:
    patients = dmp.list_authorised_patients(datetime(2000, 1, 1))
    assert ACTIVE.matricule in {p.ins for p in patients}


@needs_handler("TD0.5")
def test_search_patients_in_regulation_mode(dmp: DmpClient) -> None:
    found = dmp.search_patients(PatientSearch("DMPKIT-ACTIF", "Claire"))
    assert ACTIVE.matricule in {c.ins for c in found}
    with pytest.raises(DmpFaultError):
        dmp.search_patients(PatientSearch("DMPKIT-ACTIF"), access_mode=PurposeOfUse.NORMAL)


# --- TD1.x -----------------------------------------------------------------------------------

def test_create_then_create_again(dmp: DmpClient) -> None:
    record = PatientRecord(ABSENT, "DMPKIT-ABSENT", "Inès", "F", "19920613")
    ack = dmp.create_dmp(record, opposition_acces_urgence=True)
    assert ack.interaction == "PRPA_IN201312UV02"
    assert dmp.test_existence(ABSENT).exists
    with pytest.raises(DmpRejectedError) as caught:
        dmp.create_dmp(record)
    assert caught.value.code == "DMPFound"


def test_close_reactivate_and_their_errors(dmp: DmpClient) -> None:
    with pytest.raises(DmpRejectedError) as caught:
        dmp.reactivate_dmp(ACTIVE, family="DMPKIT-ACTIF", given="Claire")
    assert caught.value.code == "DMPFound"
    with pytest.raises(DmpRejectedError) as caught:
        dmp.close_dmp(CLOSED, family="DMPKIT-FERME", given="Henri")
    assert caught.value.code == "DMPClosed"
    assert dmp.close_dmp(EMPTY, family="DMPKIT-VIDE", given="Bruno").interaction.endswith(
        "201315UV02")
    assert dmp.reactivate_dmp(EMPTY, family="DMPKIT-VIDE", given="Bruno").interaction.endswith(
        "201315UV02")
    data = dmp.test_existence(EMPTY).data
    assert data is not None and data.patient_status == "active"


def test_read_admin_data(dmp: DmpClient) -> None:
    data = dmp.read_admin_data(ACTIVE)
    assert (data.birth_family, data.given, data.birth_date) == ("DMPKIT-ACTIF", "Claire",
                                                               "19790312")
    with pytest.raises(DmpRejectedError):
        dmp.read_admin_data(ABSENT)


@needs_handler("TD1.3b")
def test_update_admin_data(dmp: DmpClient) -> None:
    record = PatientRecord(EMPTY, "DMPKIT-VIDE", "Bruno", "M", "19850715",
                           usage_family="DMPKIT-USAGE")
    assert dmp.update_admin_data(record).interaction.endswith("201315UV02")
    data = dmp.read_admin_data(EMPTY)
    # The local server keeps one family name (the first sent, here the usage name SP).
    assert "DMPKIT-USAGE" in (data.usage_family, data.birth_family)


def test_list_authorisations_needs_direct_authentication(dmp: DmpClient,
                                                         as_professional: Factory) -> None:
    listed = dmp.list_authorisations(ACTIVE, mode="ACTIVE")
    assert {"899900077985", "899900011111"} <= {a.national_id for a in listed}
    indirect = as_professional("899900077985", "DMPKIT-TEST, Jeanne",
                               authentification_mode=AuthentificationMode.INDIRECTE)
    with pytest.raises(DmpFaultError) as caught:
        indirect.list_authorisations(ACTIVE)
    assert caught.value.code == "DMPAccessDeniedByRightsService"


# --- TD2.x -----------------------------------------------------------------------------------

def test_feed_search_retrieve_and_replace(dmp: DmpClient) -> None:
    first = dmp.submit_documents(ACTIVE, [FeedDocument.from_cda(cda())])
    (unique_id,) = first.document_unique_ids
    entry = current(dmp, unique_id)
    (retrieved,) = dmp.retrieve_documents(ACTIVE, [entry])
    assert retrieved.content == cda()
    second = dmp.submit_documents(ACTIVE, [FeedDocument.from_cda(
        cda(document_id="1.2.250.1.999.1.2024.2"), replaces=entry.entry_uuid)])
    consultation = dmp.consult(ACTIVE)
    listed = {d.unique_id for d in consultation.documents}
    assert second.document_unique_ids[0] in listed and unique_id not in listed
    # the signature entries of the submissions are not clinical documents
    assert all(d.title != "Source" for d in consultation.documents)


def test_feed_several_documents_in_one_submission(dmp: DmpClient) -> None:
    documents = [FeedDocument.from_cda(cda(document_id=f"1.2.250.1.999.1.2024.{n}"))
                 for n in (11, 12)]
    result = dmp.submit_documents(ACTIVE, documents)
    assert len(result.document_unique_ids) == 2
    entries = [current(dmp, unique_id) for unique_id in result.document_unique_ids]
    retrieved = dmp.retrieve_documents(ACTIVE, entries)
    assert sorted(d.unique_id for d in retrieved) == sorted(result.document_unique_ids)


def test_feed_duplicate_unique_id_is_refused(dmp: DmpClient) -> None:
    dmp.submit_documents(ACTIVE, [FeedDocument.from_cda(cda())])
    with pytest.raises(DmpRegistryError) as caught:
        dmp.submit_documents(ACTIVE, [FeedDocument.from_cda(cda())])
    assert caught.value.code == "XDSDuplicateUniqueIdInRegistry"


def test_feed_wrong_patient_is_refused_before_sending(dmp: DmpClient) -> None:
    with pytest.raises(DmpRequestError) as caught:
        dmp.submit_documents(EMPTY, [FeedDocument.from_cda(cda())])
    assert any(f.error_code == "XDSPatientIdDoesNotMatch" for f in caught.value.findings)


def test_feed_by_cpe_card(as_professional: Factory) -> None:
    from dataclasses import replace

    from tests.client.helpers import DIRECT

    secretary = as_professional(
        "3990000010/SECR01", "DMPKIT-SECRETARIAT, Léa",
        roles=(replace(DIRECT.roles[0], code="SECRETARIAT_MEDICAL",
                       code_system="1.2.250.1.213.1.1.4.6"),))
    result = secretary.submit_documents_cpe(ACTIVE, [FeedDocument.from_cda(cda())])
    assert result.status.endswith("Success")


# --- TD3.x -----------------------------------------------------------------------------------

def test_search_documents_and_its_errors(dmp: DmpClient) -> None:
    result = dmp.search_documents(ACTIVE)
    assert result.metadata.documents
    with pytest.raises(DmpRegistryError) as caught:
        dmp.search_documents(ABSENT)
    assert caught.value.code == "XDSUnknownPatientId"
    with pytest.raises(DmpRequestError):
        dmp.search_documents(ACTIVE, "FindDocuments", status=["Approved"])


def test_consult_first_visit_then_incremental(dmp: DmpClient) -> None:
    first = dmp.consult(ACTIVE)
    assert first.queries == 2 and first.documents  # two years, then the vaccination history
    assert len({d.unique_id for d in first.documents}) == len(first.documents)
    dmp.submit_documents(ACTIVE, [FeedDocument.from_cda(cda())])
    later = dmp.consult(ACTIVE, since="20000101000000", batch_size=1)
    assert "1.2.250.1.999.1.2024.1" in {d.unique_id for d in later.documents}
    assert later.queries >= 3


def test_consult_reports_metadata_changes(dmp: DmpClient) -> None:
    (unique_id,) = dmp.submit_documents(ACTIVE, [FeedDocument.from_cda(cda())]
                                        ).document_unique_ids
    assert unique_id not in {d.unique_id for d in dmp.consult(ACTIVE).metadata_changes}
    dmp.update_masking(ACTIVE, current(dmp, unique_id), masked=True)
    assert unique_id in {d.unique_id for d in dmp.consult(ACTIVE).metadata_changes}


def test_consult_with_a_type_filter_skips_the_vaccination_search(dmp: DmpClient) -> None:
    from dmpkit.metadata import CodedValue

    letters = dmp.consult(ACTIVE, type_codes=[CodedValue("11490-0", "2.16.840.1.113883.6.1")])
    assert letters.queries == 1
    assert {d.type_code.code for d in letters.documents if d.type_code} == {"11490-0"}


def test_retrieve_unknown_document(dmp: DmpClient) -> None:
    with pytest.raises(DmpRegistryError) as caught:
        dmp.retrieve_documents(ACTIVE, ["1.2.3.4"])
    assert caught.value.code == "XDSDocumentUniqueIdError"


def test_masking_visibility_archive_delete(dmp: DmpClient, as_professional: Factory) -> None:
    (unique_id,) = dmp.submit_documents(ACTIVE, [FeedDocument.from_cda(cda())]
                                        ).document_unique_ids
    assert dmp.update_masking(ACTIVE, current(dmp, unique_id), masked=True).endswith("Success")
    entry = current(dmp, unique_id)
    assert "MASQUE_PS" in {c.code for c in entry.confidentiality_codes}
    assert entry.version == "2"
    dmp.update_visibility(ACTIVE, entry, hidden_from_patient=True)
    entry = current(dmp, unique_id)
    assert {"MASQUE_PS", "INVISIBLE_PATIENT"} <= {c.code for c in entry.confidentiality_codes}
    dmp.update_masking(ACTIVE, entry, masked=False)
    entry = current(dmp, unique_id)
    assert "MASQUE_PS" not in {c.code for c in entry.confidentiality_codes}
    dmp.archive_document(ACTIVE, entry.entry_uuid)
    assert current(dmp, unique_id).availability_status == m.ARCHIVED
    dmp.archive_document(ACTIVE, entry.entry_uuid, archived=False)
    assert current(dmp, unique_id).availability_status == m.APPROVED
    with pytest.raises(DmpRegistryError) as caught:
        as_professional(*PAUL).delete_document(ACTIVE, entry.entry_uuid)
    assert caught.value.code == "DMPAccessDeniedByRightsService"
    assert dmp.delete_document(ACTIVE, entry.entry_uuid).endswith("Success")


def test_masking_refused_in_bris_de_glace(as_professional: Factory, dmp: DmpClient) -> None:
    entry = dmp.search_documents(ACTIVE).metadata.documents[0]
    emergency = as_professional("899900077985", "DMPKIT-TEST, Jeanne",
                                purpose_of_use=PurposeOfUse.BRIS_DE_GLACE)
    with pytest.raises(DmpFaultError) as caught:
        emergency.update_masking(ACTIVE, entry, masked=True)
    assert caught.value.code == "DMPAccessDeniedByRightsService"


def test_full_cda_validation_refuses_a_broken_document(dmp: DmpClient) -> None:
    broken = cda().replace(b"<title>", b"<titre>").replace(b"</title>", b"</titre>")
    with pytest.raises(DmpRequestError):
        dmp.submit_documents(ACTIVE, [FeedDocument(broken, FeedDocument.from_cda(cda()).entry)])
