"""The simulator's answers validate against the schemas: IHE/HL7 public ones, and the DMP's
reconstructed ones of ``specs/dmp/schemas`` (through the spec store)."""

from __future__ import annotations

import pytest
from lxml import etree

from dmpkit import mtom
from dmpkit.pki import TestPki
from dmpkit.simulator.seed import load_seed
from dmpkit.simulator.testing import (
    SimClient,
    adhoc_query,
    hl7_request,
    patient_list,
    pdq_query,
    provide_and_register,
    read_reply,
    retrieve_request,
    set_authorization,
)
from dmpkit.soap import read_envelope
from dmpkit.vihf import AuthentificationMode, PurposeOfUse
from dmpkit.xsdvalidate import validate
from tests.simulator.helpers import ACTIVE, FIND_DOCUMENTS, find_documents_query

SEED = load_seed()
ABSENT = SEED.patient("absent").ins
EMPTY = SEED.patient("empty").ins


def _answer(client: SimClient, transaction: str, body: etree._Element, ins: str | None,
            **claims: object) -> etree._Element:
    return read_reply(client.call(transaction, body, ins=ins, **claims)).body_payload


@pytest.mark.parametrize(("transaction", "body", "ins"), [
    ("TD0.2", hl7_request("PRPA_IN201307UV02", "TEST_EXST", ACTIVE), ACTIVE),
    ("TD0.2", hl7_request("PRPA_IN201307UV02", "TEST_EXST", ABSENT), ABSENT),
    ("TD1.1", hl7_request("PRPA_IN201311UV02", "CREA_RD", ABSENT, family="A", given="B"), ABSENT),
    ("TD1.1", hl7_request("PRPA_IN201311UV02", "CREA_RD", ACTIVE, family="A"), ACTIVE),
    ("TD1.3a", hl7_request("PRPA_IN201307UV02", "CNSLT_DATA", ACTIVE), ACTIVE),
    ("TD1.3b", hl7_request("PRPA_IN201314UV02", "MODIF_DATA", EMPTY, family="C"), EMPTY),
    ("TD1.4", hl7_request("PRPA_IN201314UV02", "FERM", EMPTY), EMPTY),
    ("TD1.2", hl7_request("PRPA_IN201314UV02", "REAC", ACTIVE), ACTIVE),
])
def test_hl7v3_answers_are_schema_valid(client: SimClient, transaction: str,
                                        body: etree._Element, ins: str) -> None:
    answer = _answer(client, transaction, body, ins)
    assert validate(answer, "hl7v3") == []


def test_pdq_answer_is_schema_valid_in_regulation_mode(client: SimClient) -> None:
    request = pdq_query("DMPKIT-ACTIF", "19790312")
    assert validate(request, "hl7v3") == []
    answer = _answer(client, "TD0.5", request, None, purpose_of_use=PurposeOfUse.CENTRE_15)
    assert validate(answer, "hl7v3") == []
    assert answer.xpath("string(//*[local-name()='queryResponseCode']/@code)") == "OK"


@pytest.mark.parametrize(("transaction", "body", "schema"), [
    ("TD0.3-declare", set_authorization("AJOUT"), "dmp-habilitations"),
    ("TD0.3-remove", set_authorization("SUPPRESSION"), "dmp-habilitations"),
    ("TD0.4", patient_list("20000101000000"), "dmp-patients"),
])
def test_proprietary_answers_are_schema_valid(client: SimClient, transaction: str,
                                              body: etree._Element, schema: str) -> None:
    assert validate(body, schema) == []
    answer = _answer(client, transaction, body, ACTIVE,
                     authentification_mode=AuthentificationMode.DIRECTE)
    assert validate(answer, schema) == []


def test_authorisation_list_is_schema_valid(client: SimClient) -> None:
    ns = "urn:si-dmp-habilitations"
    body = etree.Element(f"{{{ns}}}listAuthorizationByPatient", nsmap={None: ns})  # type: ignore[dict-item]
    etree.SubElement(body, f"{{{ns}}}mode").text = "TOUTE"
    answer = _answer(client, "TD1.6", body, ACTIVE,
                     authentification_mode=AuthentificationMode.DIRECTE)
    assert validate(answer, "dmp-habilitations") == []
    assert len(answer.findall(f"{{{ns}}}authorization")) == 4


def test_xds_answers_are_schema_valid(client: SimClient, sim_pki: TestPki) -> None:
    direct = {"authentification_mode": AuthentificationMode.DIRECTE}
    request = provide_and_register(sim_pki, EMPTY, [("a", b"<a/>")])
    assert validate(request, "xdsb") == []
    assert validate(_answer(client, "TD2.1", request, EMPTY), "rs") == []
    query = adhoc_query(FIND_DOCUMENTS, find_documents_query(ACTIVE))
    found = _answer(client, "TD3.1", query, ACTIVE, **direct)
    assert validate(found, "query") == []
    unique_id = found.xpath("string(//*[local-name()='ExternalIdentifier'][@identificationScheme="
                            "'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab']/@value)")
    reply = client.call("TD3.2", retrieve_request([str(unique_id)]), ins=ACTIVE, **direct)
    # the MTOM root with its parts put back inline, as the schema describes the message
    inline = mtom.decode(reply.headers["content-type"], reply.content).root_element(inline=True)
    assert validate(read_envelope(inline).body_payload, "xdsb") == []
