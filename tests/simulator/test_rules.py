"""Rules as data: functional rights (REFERENCE §10.3), contested cells, the authorisation matrix,
access modes and oppositions, VIHF validity, connexion secrète."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from dmpkit import testmode
from dmpkit.catalogue import AccessMode, AuthMode
from dmpkit.pki import TestPki
from dmpkit.simulator import Simulator
from dmpkit.simulator.caller import Caller
from dmpkit.simulator.errors import DmpRefusalError
from dmpkit.simulator.rules.matrix import load_matrix
from dmpkit.simulator.rules.rights import load_rights
from dmpkit.simulator.seed import load_seed
from dmpkit.simulator.testing import (
    SimClient,
    adhoc_query,
    hl7_request,
    pdq_query,
    provide_and_register,
    set_authorization,
)
from dmpkit.soap import Addressing, build_envelope, serialize
from dmpkit.vihf import (
    AuthentificationMode,
    CodedValue,
    InsIdentifier,
    PurposeOfUse,
    VihfClaims,
)
from tests.simulator.helpers import (
    ACTIVE,
    FIND_DOCUMENTS,
    body_of,
    fault_subcode,
    find_documents_query,
    xpath,
)

SEED = load_seed()
DIRECT = AuthentificationMode.DIRECTE
SECRETARY = "3990000010/SECR01"


def _caller(auth: AuthMode, access: AccessMode = AccessMode.NORMAL) -> Caller:
    return Caller("899900077985", "X, Y", "1990000010", "10", auth, access, ACTIVE,
                  "1.2.250.1.213.1.4.10", False, False, VihfClaims())


def test_rights_rules_reference_known_transactions(simulator: Simulator) -> None:
    known = {t.id for t in simulator.catalogue.transactions}
    for rule in simulator.rights.rules:
        assert rule.transactions <= known, rule


def test_contested_cell_is_an_option() -> None:
    # PDT-INF-526 v1.8 refuses "declare oneself authorised" to indirect authentication
    strict = load_rights(declare_authorisation_by_indirect=False)
    with pytest.raises(DmpRefusalError, match="indirecte"):
        strict.check("TD0.3-declare", _caller(AuthMode.INDIRECT), medecin_traitant=False)
    load_rights().check("TD0.3-declare", _caller(AuthMode.INDIRECT), medecin_traitant=False)


def test_feeding_variant_follows_the_card(client: SimClient, simulator: Simulator,
                                          sim_pki: TestPki) -> None:
    ins = SEED.patient("empty").ins
    body = provide_and_register(sim_pki, ins, [("par la secrétaire", b"s")],
                                professional=SECRETARY)
    # a CPE card is TD2.2 (accepted), imputed to the structure
    reply = client.call("TD2.1", body, ins=ins, name_id=SECRETARY, authentification_mode=DIRECT,
                        roles=(CodedValue("SECRETARIAT_MEDICAL", "1.2.250.1.213.1.1.4.6"),))
    assert body_of(reply).get("status", "").endswith(":Success"), reply.text[-600:]
    assert simulator.storage.traces(ins, limit=1)[0].transaction == "TD2.2"


def test_search_without_ins_only_in_regulation_mode(client: SimClient) -> None:
    refused = client.call("TD0.5", pdq_query("DMPKIT-ACTIF"))
    assert fault_subcode(refused) == ("soap:Sender", "DMPAccessDeniedByRightsService")
    found = client.call("TD0.5", pdq_query("DMPKIT-ACTIF"), purpose_of_use=PurposeOfUse.CENTRE_15)
    assert xpath(body_of(found), "//hl7:patient/hl7:id/@extension") == [ACTIVE]


def test_stop_being_medecin_traitant_only_for_the_medecin_traitant(client: SimClient,
                                                                    simulator: Simulator) -> None:
    stop = set_authorization("SUPPRESSION", "MEDECIN_TRAITANT")
    refused = client.call("TD0.3-stop-mt", stop, ins=ACTIVE)
    assert fault_subcode(refused) == ("soap:Sender", "DMPAccessDeniedByRightsService")
    done = body_of(client.call("TD0.3-stop-mt", stop, ins=ACTIVE, name_id="899900011111"))
    assert xpath(done, "string(hab:status)") == ["DMPOk"]
    assert simulator.storage.patient(ACTIVE).medecin_traitant is None  # type: ignore[union-attr]


def test_matrix_is_marked_reconstructed_where_the_law_is_not_public() -> None:
    matrix = load_matrix()
    assert not matrix.row("10").reconstructed  # médecins: all but one type, public summary
    assert matrix.row("21").reconstructed
    assert matrix.allows("10", "11", "34133-9")
    assert not matrix.allows("21", "10", "11490-0")


def test_pharmacist_does_not_see_reports(client: SimClient, sim_pki: TestPki) -> None:
    ins = SEED.patient("empty").ins
    client.call("TD2.1", provide_and_register(sim_pki, ins, [("compte rendu", b"cr")]), ins=ins)
    claims = {"name_id": "899900022222", "authentification_mode": DIRECT,
              "identifiant_structure": "1990000010",
              "roles": (CodedValue("21", "1.2.250.1.71.1.2.7", "Pharmacien", "professions"),
                        CodedValue("A", "1.2.250.1.71.4.2.6")),
              "purpose_of_use": PurposeOfUse.BRIS_DE_GLACE}
    found = body_of(client.call("TD3.1", adhoc_query(FIND_DOCUMENTS, find_documents_query(ins)),
                                ins=ins, **claims))
    assert found.get("status", "").endswith(":Success")
    titles = xpath(found, "//rim:ExtrinsicObject/rim:Name/rim:LocalizedString/@value")
    assert "compte rendu" not in titles
    # the same search by the author's médecin colleague lists it
    colleague = body_of(client.call("TD3.1", adhoc_query(FIND_DOCUMENTS,
                                                         find_documents_query(ins)),
                                    ins=ins, authentification_mode=DIRECT,
                                    purpose_of_use=PurposeOfUse.BRIS_DE_GLACE,
                                    name_id="899900011111"))
    assert "compte rendu" in xpath(colleague,
                                   "//rim:ExtrinsicObject/rim:Name/rim:LocalizedString/@value")


def test_bris_de_glace_hides_masked_documents_unless_allowed(client: SimClient) -> None:
    query = adhoc_query(FIND_DOCUMENTS, find_documents_query(ACTIVE))
    claims = {"authentification_mode": DIRECT, "name_id": "899900033333",
              "roles": (CodedValue("60", "1.2.250.1.71.1.2.7", "Infirmier", "professions"),),
              "purpose_of_use": PurposeOfUse.BRIS_DE_GLACE}
    titles = xpath(body_of(client.call("TD3.1", query, ins=ACTIVE, **claims)),
                   "//rim:ExtrinsicObject/rim:Name/rim:LocalizedString/@value")
    assert "Compte rendu masqué" not in titles and "Lettre de sortie" in titles


def test_expired_vihf_is_refused(client: SimClient) -> None:
    claims = VihfClaims(identifiant_structure="1990000010", resource_id=InsIdentifier(ACTIVE))
    old = testmode.now() - timedelta(hours=30)
    assertion = client.signer.sign(claims, issue_instant=old, check=False)
    envelope = build_envelope(hl7_request("PRPA_IN201307UV02", "TEST_EXST", ACTIVE),
                              addressing=Addressing(action="urn:hl7-org:v3:PRPA_IN201307UV02"),
                              security=[assertion])
    reply = client.http.post("/si-dmp-server/v2/services/patients", content=serialize(envelope),
                             headers={"content-type": "application/soap+xml"})
    assert fault_subcode(reply) == ("soap:Sender", "MessageExpired")


def test_connexion_secrete_is_flagged_in_the_trace(client: SimClient,
                                                   simulator: Simulator) -> None:
    minor = SEED.patient("a minor (connexion secrète)").ins
    secret = CodedValue("INVISIBLE_REPRESENTANTS_LEGAUX", "1.2.250.1.213.1.1.4.13")
    reply = client.call("TD0.2", hl7_request("PRPA_IN201307UV02", "TEST_EXST", minor), ins=minor,
                        confidentiality_code=secret)
    assert reply.status_code == 200
    assert simulator.storage.traces(minor, limit=1)[0].secret


def test_request_to_an_unknown_service_is_404(client: SimClient) -> None:
    assert client.http.post("/si-dmp-server/v2/services/nothing", content=b"x").status_code == 404
    assert isinstance(client.http, httpx.Client)
