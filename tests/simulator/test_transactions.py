"""The transactions against the seeded states (REFERENCE §6.3, §10.2, §10.3, §10.6)."""

from __future__ import annotations

from pathlib import Path

from dmpkit.catalogue import AccessMode
from dmpkit.pki import TestPki
from dmpkit.simulator import Simulator
from dmpkit.simulator.seed import load_seed
from dmpkit.simulator.testing import (
    SimClient,
    adhoc_query,
    hl7_request,
    provide_and_register,
    retrieve_request,
    set_authorization,
    status_update,
    visibility_update,
)
from dmpkit.vihf import AuthentificationMode, PurposeOfUse
from tests.simulator.helpers import (
    ACTIVE,
    APPROVED,
    FIND_DOCUMENTS,
    body_of,
    fault_subcode,
    find_documents_query,
    xpath,
)

SEED = load_seed()
N1_EXAMPLE = "examples/cda/DOC_NON_STRUCTURE_CDA-R2-N1.xml"  # an ANS CDA R2 N1 sample
DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"
DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"


def _ins(state: str) -> str:
    return SEED.patient(state).ins


def _existence(client: SimClient, ins: str, **claims: object) -> list[str]:
    reply = client.call("TD0.2", hl7_request("PRPA_IN201307UV02", "TEST_EXST", ins), ins=ins,
                        **claims)
    body = body_of(reply)
    return xpath(body, "//hl7:queryResponseCode/@code") + xpath(
        body, "//hl7:attentionLine[hl7:keyWordText/@code='AUTORISATION']/hl7:value/@code")


def test_existence_reports_nf_ok_and_the_authorisation_status(client: SimClient) -> None:
    assert _existence(client, _ins("absent")) == ["NF"]
    assert _existence(client, ACTIVE) == ["OK", "VALIDE"]
    assert _existence(client, _ins("patient who does not authorise")) == ["OK", "NON_EXISTE"]
    assert _existence(client, _ins("blocked and expired authorisations")) == ["OK", "INTERDIT"]


def test_authorisation_expires_after_six_months(client: SimClient) -> None:
    # the nurse's authorisation was granted 200 days ago
    statuses = _existence(client, _ins("blocked and expired authorisations"),
                          name_id="899900033333")
    assert statuses == ["OK", "EXPIRE"]


def test_declaring_an_authorisation_is_idempotent(client: SimClient) -> None:
    ins = _ins("patient who does not authorise")
    first = body_of(client.call("TD0.3-declare", set_authorization("AJOUT"), ins=ins))
    second = body_of(client.call("TD0.3-declare", set_authorization("AJOUT"), ins=ins))
    assert xpath(first, "string(hab:status)") == ["DMPOk"]
    assert xpath(second, "string(hab:status)") == ["DMPOk"]
    assert xpath(second, "string(hab:context)") == [
        "Autorisation déjà présente aucune action effectuée"]
    assert _existence(client, ins) == ["OK", "VALIDE"]


def test_declaring_is_refused_in_bris_de_glace(client: SimClient) -> None:
    reply = client.call("TD0.3-declare", set_authorization("AJOUT"), ins=ACTIVE,
                        purpose_of_use=PurposeOfUse.BRIS_DE_GLACE)
    assert fault_subcode(reply) == ("soap:Sender", "DMPAccessDeniedByRightsService")


def test_creating_an_existing_dmp_answers_dmp_found(client: SimClient) -> None:
    reply = client.call("TD1.1", hl7_request("PRPA_IN201311UV02", "CREA_RD", ACTIVE,
                                             family="X", given="Y"), ins=ACTIVE)
    body = body_of(reply)
    assert body.tag == "{urn:hl7-org:v3}PRPA_IN201313UV02"
    assert xpath(body, "//hl7:acknowledgementDetail/hl7:code/@code") == ["DMPFound"]


def test_create_then_close_twice_answers_dmp_closed(client: SimClient) -> None:
    ins = _ins("absent")
    created = body_of(client.call("TD1.1", hl7_request("PRPA_IN201311UV02", "CREA_RD", ins,
                                                       family="DMPKIT-ABSENT", given="Inès"),
                                  ins=ins))
    assert xpath(created, "//hl7:acknowledgement/hl7:typeCode/@code") == ["AA"]
    close = hl7_request("PRPA_IN201314UV02", "FERM", ins, family="DMPKIT-ABSENT")
    assert xpath(body_of(client.call("TD1.4", close, ins=ins)),
                 "//hl7:acknowledgement/hl7:typeCode/@code") == ["AA"]
    again = body_of(client.call("TD1.4", close, ins=ins))
    assert again.tag == "{urn:hl7-org:v3}PRPA_IN201316UV02"
    assert xpath(again, "//hl7:acknowledgementDetail/hl7:code/@code") == ["DMPClosed"]


def test_closing_a_dmp_attached_to_mon_espace_sante_is_refused(client: SimClient) -> None:
    ins = _ins("attached to Mon espace santé")
    body = body_of(client.call("TD1.4", hl7_request("PRPA_IN201314UV02", "FERM", ins), ins=ins))
    assert xpath(body, "//hl7:acknowledgementDetail/hl7:code/@code") == [
        "DMPAccessDeniedByRightsService"]


def _find(client: SimClient, ins: str = ACTIVE, **claims: object) -> list[str]:
    # direct CPS authentication: indirect callers only see their structure's documents
    claims.setdefault("authentification_mode", AuthentificationMode.DIRECTE)
    reply = client.call("TD3.1", adhoc_query(FIND_DOCUMENTS, find_documents_query(ins)), ins=ins,
                        **claims)
    return xpath(body_of(reply), "//rim:ExtrinsicObject/rim:Name/rim:LocalizedString/@value")


def test_masked_documents_are_hidden_except_to_the_author_and_the_medecin_traitant(
        client: SimClient) -> None:
    assert "Compte rendu masqué" not in _find(client)
    # author of the masked document and médecin traitant of the patient
    assert "Compte rendu masqué" in _find(client, name_id="899900011111")


def test_the_authorisation_matrix_filters_classes(client: SimClient) -> None:
    titles = _find(client, name_id="899900033333", roles=(
        load_seed_role("60"),))
    # infirmier: prescriptions (42) allowed, the synthesis class 11 allowed, but only VALIDE
    assert "Prescription de médicaments" in titles


def load_seed_role(code: str) -> object:
    from dmpkit.vihf import CodedValue

    return CodedValue(code, "1.2.250.1.71.1.2.7", "", "professions")


def test_oppositions_block_emergency_access(client: SimClient) -> None:
    ins = _ins("oppositions to bris de glace and centre 15")
    reply = client.call("TD3.1", adhoc_query(FIND_DOCUMENTS, find_documents_query(ins)), ins=ins,
                        purpose_of_use=PurposeOfUse.BRIS_DE_GLACE)
    assert xpath(body_of(reply), "//rs:RegistryError/@errorCode") == [
        "DMPAccessDeniedByRightsService"]
    assert AccessMode.BRIS_DE_GLACE.value == "bris_de_glace"


def test_feed_search_retrieve_replace_delete(client: SimClient, simulator: Simulator,
                                             sim_pki: TestPki, spec_store: Path) -> None:
    ins = _ins("empty")
    cda = (spec_store / N1_EXAMPLE).read_bytes()
    fed = body_of(client.call("TD2.1", provide_and_register(sim_pki, ins, [("document A", cda)]),
                              ins=ins))
    assert fed.get("status") == "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
    document = next(d for d in simulator.storage.documents(ins) if d.title == "document A")
    # ITI-43: MTOM answer carrying the very bytes
    reply = client.call("TD3.2", retrieve_request([document.unique_id]), ins=ins,
                        authentification_mode=None)
    assert reply.headers["content-type"].startswith("multipart/related")
    assert cda in reply.content, reply.text[-1500:]
    # RPLC: the old version becomes Deprecated
    client.call("TD2.1", provide_and_register(sim_pki, ins, [("document A v2", b"v2")],
                                              replaces=document.entry_uuid), ins=ins)
    assert simulator.storage.document(document.entry_uuid).status == DEPRECATED  # type: ignore[union-attr]
    new = next(d for d in simulator.storage.documents(ins) if d.title == "document A v2")
    # in direct authentication, deletion by another professional is refused, by the author
    # accepted (indirect authentication acts for the whole structure, §10.3)
    direct = AuthentificationMode.DIRECTE
    refused = body_of(client.call("TD3.3c", status_update(new.entry_uuid, APPROVED, DELETED, ins),
                                  ins=ins, name_id="899900011111", authentification_mode=direct))
    assert xpath(refused, "//rs:RegistryError/@errorCode") == ["DMPAccessDeniedByRightsService"]
    done = body_of(client.call("TD3.3c", status_update(new.entry_uuid, APPROVED, DELETED, ins),
                               ins=ins, authentification_mode=direct))
    assert done.get("status").endswith(":Success")  # type: ignore[union-attr]
    assert simulator.storage.document(new.entry_uuid).status == DELETED  # type: ignore[union-attr]


def test_a_rejected_submission_stores_nothing(client: SimClient, simulator: Simulator,
                                              sim_pki: TestPki) -> None:
    ins = _ins("empty")
    before = simulator.storage.counts()
    unsigned = provide_and_register(sim_pki, ins, [("a", b"a"), ("b", b"b")], sign=False)
    body = body_of(client.call("TD2.1", unsigned, ins=ins))
    assert xpath(body, "//rs:RegistryError/@errorCode") == ["XDSRegistryMetadataError"]
    closed = _ins("closed")
    body = body_of(client.call("TD2.1", provide_and_register(sim_pki, closed, [("a", b"a")]),
                               ins=closed))
    assert xpath(body, "//rs:RegistryError/@errorCode") == ["DMPClosed"]
    after = simulator.storage.counts()
    assert after["document"] == before["document"]
    assert after["submission_set"] == before["submission_set"]


def test_masking_creates_a_new_version_with_the_same_logical_id(client: SimClient,
                                                               simulator: Simulator) -> None:
    document = next(d for d in simulator.storage.documents(ACTIVE)
                    if d.title == "Lettre de sortie")
    request = visibility_update(document.metadata_xml, document.logical_id, document.version,
                                ["N", "MASQUE_PS"], ACTIVE)
    body = body_of(client.call("TD3.3a", request, ins=ACTIVE,
                                authentification_mode=AuthentificationMode.DIRECTE))
    assert body.get("status").endswith(":Success")  # type: ignore[union-attr]
    versions = [d for d in simulator.storage.documents(ACTIVE)
                if d.logical_id == document.logical_id]
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].status == DEPRECATED and versions[1].entry_uuid != versions[0].entry_uuid
    assert "MASQUE_PS" in versions[1].confidentiality


def test_a_cda_failing_the_validator_is_refused(client: SimClient, simulator: Simulator,
                                                sim_pki: TestPki, spec_store: Path) -> None:
    ins = _ins("empty")
    cda = (spec_store / N1_EXAMPLE).read_bytes()
    broken = cda.replace(b"<realmCode", b"<realmKode", 1).replace(b"</realmCode>",
                                                                  b"</realmKode>", 1)
    body = body_of(client.call("TD2.1", provide_and_register(sim_pki, ins, [("cassé", broken)]),
                               ins=ins))
    assert xpath(body, "//rs:RegistryError/@errorCode") == ["XDSRepositoryMetadataError"]
    assert "CDA-XSD" in xpath(body, "string(//rs:RegistryError/@codeContext)")[0]
    assert not [d for d in simulator.storage.documents(ins) if d.title == "cassé"]
