"""Dispatch through the catalogue, SOAP faults, and the VIHF / TLS identity rules."""

from __future__ import annotations

import httpx
import pytest

from dmpkit.catalogue import AccessMode
from dmpkit.pki import TestPki
from dmpkit.simulator import Simulator
from dmpkit.simulator.errors import Origin, load_error_catalogue
from dmpkit.simulator.testing import SimClient, hl7_request
from dmpkit.soap import Addressing, build_envelope, serialize
from dmpkit.transport import asgi_transport
from dmpkit.vihf import AuthentificationMode, PurposeOfUse, VihfSigner
from tests.simulator.helpers import ACTIVE, BASE_URL, body_of, fault_subcode, xpath

PATIENTS = "/si-dmp-server/v2/services/patients"
EXISTENCE = "urn:hl7-org:v3:PRPA_IN201307UV02"


def _existence(client: SimClient, ins: str = ACTIVE, **claims: object) -> httpx.Response:
    return client.call("TD0.2", hl7_request("PRPA_IN201307UV02", "TEST_EXST", ins), ins=ins,
                       **claims)


def test_error_catalogue_marks_own_codes_and_keeps_the_dmp_ones() -> None:
    catalogue = load_error_catalogue()
    dmp = {e.code for e in catalogue.entries.values() if e.origin is Origin.DMP}
    # the codes REFERENCE §6.3 / §10.2 knows are sent as the DMP's own
    assert {"DMPFound", "DMPClosed", "DMPInvalidCertificate", "XDSDocumentUniqueIdError"} <= dmp
    own = [e for e in catalogue.entries.values() if e.origin is Origin.SERVER]
    assert own and all(e.code.startswith("DMPKIT_") for e in own)


def test_unknown_action_gets_the_action_not_supported_fault(client: SimClient) -> None:
    body = hl7_request("PRPA_IN201307UV02", "TEST_EXST", ACTIVE)
    envelope = build_envelope(body, addressing=Addressing(action="urn:example:nothing"))
    reply = client.http.post(PATIENTS, content=serialize(envelope),
                             headers={"content-type": "application/soap+xml"})
    assert reply.status_code == 500
    assert fault_subcode(reply) == ("soap:Sender", "ActionNotSupported")


@pytest.mark.parametrize("data", [b"<not-xml", b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",
                                  b"\x00\xff" * 10, b""])
def test_malformed_and_hostile_input_gets_a_fault_and_changes_nothing(
        client: SimClient, simulator: Simulator, data: bytes) -> None:
    before = simulator.storage.counts()
    reply = client.http.post(PATIENTS, content=data,
                             headers={"content-type": "application/soap+xml"})
    assert reply.status_code == 500
    assert fault_subcode(reply)[0] == "soap:Sender"
    after = simulator.storage.counts()
    assert {k: v for k, v in after.items() if k != "trace"} == \
        {k: v for k, v in before.items() if k != "trace"}


def test_soap11_envelope_is_a_version_mismatch(client: SimClient) -> None:
    data = (b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/>'
            b"</e:Envelope>")
    reply = client.http.post(PATIENTS, content=data, headers={"content-type": "text/xml"})
    assert fault_subcode(reply)[0] == "soap:VersionMismatch"


def test_missing_addressing_is_refused_with_the_ws_addressing_fault(client: SimClient) -> None:
    data = (b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
            b'<x xmlns="urn:x"/></s:Body></s:Envelope>')
    reply = client.http.post(PATIENTS, content=data,
                             headers={"content-type": "application/soap+xml"})
    assert fault_subcode(reply) == ("soap:Sender", "MessageAddressingHeaderRequired")


def test_request_without_vihf_is_refused(client: SimClient) -> None:
    body = hl7_request("PRPA_IN201307UV02", "TEST_EXST", ACTIVE)
    envelope = build_envelope(body, addressing=Addressing(action=EXISTENCE))
    reply = client.http.post(PATIENTS, content=serialize(envelope),
                             headers={"content-type": "application/soap+xml"})
    assert fault_subcode(reply) == ("soap:Sender", "InvalidSecurity")


def test_vihf_signed_with_an_authentication_key_is_dmp_invalid_certificate(
        client: SimClient, sim_pki: TestPki) -> None:
    client.signer = VihfSigner.from_certified_key(sim_pki.auth_cli)  # no nonRepudiation
    assert fault_subcode(_existence(client)) == ("soap:Sender", "DMPInvalidCertificate")


def test_vihf_from_a_foreign_ca_is_untrusted(client: SimClient, sim_pki: TestPki) -> None:
    client.signer = VihfSigner.from_certified_key(sim_pki.foreign_sign)
    assert fault_subcode(_existence(client)) == ("soap:Sender", "InvalidSecurityToken")


def test_structure_must_match_the_tls_certificate(client: SimClient) -> None:
    reply = _existence(client, identifiant_structure="1990000028")
    assert fault_subcode(reply) == ("soap:Sender", "FailedAuthentication")
    assert "personne morale" in reply.text


def test_no_client_certificate_is_refused(simulator: Simulator, sim_pki: TestPki) -> None:
    with httpx.Client(transport=asgi_transport(simulator, client_cert_pem=None),
                      base_url=BASE_URL) as http:
        reply = _existence(SimClient.for_pki(sim_pki, http))
    assert fault_subcode(reply) == ("soap:Sender", "FailedAuthentication")


def test_tampered_vihf_fails_the_signature_check(client: SimClient) -> None:
    body = hl7_request("PRPA_IN201307UV02", "TEST_EXST", ACTIVE)
    assertion = client.signer.sign(client.claims, check=False)
    subject = assertion.find(".//{urn:oasis:names:tc:SAML:2.0:assertion}NameID")
    assert subject is not None
    subject.text = "899900099999"
    envelope = build_envelope(body, addressing=Addressing(action=EXISTENCE),
                              security=[assertion])
    reply = client.http.post(PATIENTS, content=serialize(envelope),
                             headers={"content-type": "application/soap+xml"})
    assert fault_subcode(reply) == ("soap:Sender", "FailedCheck")


def test_every_request_is_traced(client: SimClient, simulator: Simulator) -> None:
    _existence(client, purpose_of_use=PurposeOfUse.NORMAL)
    trace = simulator.storage.traces(ACTIVE, limit=1)[0]
    assert (trace.professional, trace.structure, trace.transaction, trace.access_mode,
            trace.auth_mode) == ("899900077985", "1990000010", "TD0.2", AccessMode.NORMAL.value,
                                 "indirect")
    assert trace.outcome == "OK"


def test_direct_authentication_without_mode_is_a_cps_card(client: SimClient) -> None:
    reply = _existence(client, authentification_mode=AuthentificationMode.DIRECTE)
    assert xpath(body_of(reply), "//hl7:queryResponseCode/@code") == ["OK"]
