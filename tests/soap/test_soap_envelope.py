"""SOAP 1.2 envelopes: what dmpkit builds, and what it accepts and refuses on receipt."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from dmpkit import bindings, testmode
from dmpkit.namespaces import QUERY, SAML2, SOAP12, WSA, WSSE
from dmpkit.soap import (
    ANONYMOUS,
    DEFAULT_UNDERSTOOD,
    Addressing,
    EnvelopeError,
    MustUnderstandError,
    VersionMismatchError,
    build_envelope,
    build_fault,
    parse_envelope,
    serialize,
)
from dmpkit.xmlparse import XmlForbiddenConstructError

SchemaCheck = Callable[[etree._Element], list[str]]

S = f"{{{SOAP12}}}"
A = f"{{{WSA}}}"
ITI18_ACTION = "urn:ihe:iti:2007:RegistryStoredQuery"
ENDPOINT = "https://lps2.dmp.gouv.fr/si-dmp-server/v2/services/registry"


def envelope_bytes(header: str = "", body: str = '<p:Ping xmlns:p="urn:test"/>', *,
                   root_ns: str = SOAP12, extra: str = "") -> bytes:
    """A hand-written envelope: the tests must not depend on the builder under test."""
    head = f"<s:Header>{header}</s:Header>" if header is not None else ""
    return (
        f'<s:Envelope xmlns:s="{root_ns}" xmlns:a="{WSA}">{head}'
        f"<s:Body>{body}</s:Body>{extra}</s:Envelope>"
    ).encode()


@pytest.fixture
def deterministic() -> object:
    testmode.enable(7)
    yield None
    testmode.disable()


# --- building --------------------------------------------------------------------------


def test_round_trip_of_a_built_envelope(deterministic: object) -> None:
    payload = etree.Element("{urn:test}Ping")
    payload.text = "bonjour"
    assertion = etree.Element(f"{{{SAML2}}}Assertion", ID="_vihf")
    envelope = build_envelope(
        payload, addressing=Addressing(action=ITI18_ACTION, to=ENDPOINT), security=[assertion]
    )
    data = serialize(envelope)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    parsed = parse_envelope(data, require_addressing=True)
    assert parsed.body_payload.tag == "{urn:test}Ping"
    assert parsed.body_payload.text == "bonjour"
    assert parsed.addressing is not None
    assert parsed.addressing.action == ITI18_ACTION
    assert parsed.addressing.to == ENDPOINT
    assert parsed.addressing.reply_to == ANONYMOUS
    assert parsed.addressing.message_id is not None
    assert parsed.addressing.message_id.startswith("urn:uuid:")
    assert parsed.security is not None
    assert parsed.security.get(f"{S}mustUnderstand") == "true"
    assert parsed.security[0].get("ID") == "_vihf"
    action = parsed.envelope.find(f"{S}Header/{A}Action")
    assert action is not None and action.get(f"{S}mustUnderstand") == "true"
    # The caller's elements are copied, not moved.
    assert payload.getparent() is None and assertion.getparent() is None


def test_message_ids_are_deterministic_in_test_mode() -> None:
    testmode.enable(3)
    first = Addressing(action=ITI18_ACTION, to=ENDPOINT).message_id
    testmode.enable(3)
    second = Addressing(action=ITI18_ACTION, to=ENDPOINT).message_id
    testmode.disable()
    third = Addressing(action=ITI18_ACTION, to=ENDPOINT).message_id
    assert first == second != third


def test_no_security_header_without_security_elements() -> None:
    envelope = build_envelope(
        etree.Element("{urn:test}Ping"), addressing=Addressing(action=ITI18_ACTION, to=ENDPOINT)
    )
    assert envelope.find(f"{S}Header/{{{WSSE}}}Security") is None


def test_built_envelope_is_valid_against_the_w3c_schemas(
    soap12_errors: SchemaCheck, wsa_errors: SchemaCheck
) -> None:
    envelope = build_envelope(
        etree.Element("{urn:test}Ping"),
        addressing=Addressing(action=ITI18_ACTION, to=ENDPOINT, relates_to="urn:uuid:1"),
        security=[etree.Element(f"{{{SAML2}}}Assertion")],
    )
    assert soap12_errors(envelope) == []
    header = envelope.find(f"{S}Header")
    assert header is not None
    assert [etree.QName(block).localname for block in header] == [
        "Action", "MessageID", "ReplyTo", "To", "RelatesTo", "Security",
    ]
    for block in header[:5]:
        assert wsa_errors(block) == []
    # The checks are live: a wrong Fault code is caught by the same schema.
    broken = build_fault("Sender", "x")
    value = broken.find(f"{S}Body/{S}Fault/{S}Code/{S}Value")
    assert value is not None
    value.text = "soap:Client"
    assert soap12_errors(broken)


def test_built_envelope_maps_onto_the_generated_binding() -> None:
    envelope = build_envelope(
        etree.Element("{urn:test}Ping"), addressing=Addressing(action=ITI18_ACTION, to=ENDPOINT)
    )
    bound = bindings.parse_element(envelope)
    assert type(bound).__name__ == "Envelope"
    assert type(bound).__module__.startswith("dmpkit_bindings.soap12")
    assert bound.body is not None and len(bound.body.any_element) == 1
    assert bound.header is not None and len(bound.header.any_element) == 4


# --- the public IHE samples ------------------------------------------------------------


def test_ihe_xds_soap_samples_parse(xds_soap_samples: list[Path]) -> None:
    actions = {}
    for sample in xds_soap_samples:
        parsed = parse_envelope(sample.read_bytes(), require_addressing=True)
        assert parsed.addressing is not None
        actions[sample.name] = parsed.addressing.action
        assert parsed.envelope.tag == f"{S}Envelope"
    assert actions == {
        "ProvideAndRegisterDocumentSet-bRequest_SOAP.xml":
            "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b",
        "RegistryStoredQueryRequest_SOAP.xml": "urn:ihe:iti:2007:RegistryStoredQuery",
        "RetrieveDocumentSetResponse_SOAP.xml": "urn:ihe:iti:2007:RetrieveDocumentSetResponse",
    }


def test_ihe_samples_carry_to_and_reply_to_as_requests_do(xds_soap_samples: list[Path]) -> None:
    query = next(p for p in xds_soap_samples if p.name.startswith("RegistryStoredQuery"))
    parsed = parse_envelope(query.read_bytes())
    assert parsed.addressing is not None
    assert parsed.addressing.to == "http://localhost:2647/XdsService/IHEXDSRegistry.svc"
    assert parsed.addressing.reply_to == ANONYMOUS
    assert parsed.addressing.message_id == "urn:uuid:a02ca8cd-86fa-4afc-a27c-616c183b2055"
    assert parsed.body_payload.tag == f"{{{QUERY}}}AdhocQueryRequest"
    response = next(p for p in xds_soap_samples if p.name.startswith("RetrieveDocumentSetResponse"))
    answer = parse_envelope(response.read_bytes())
    assert answer.addressing is not None
    assert answer.addressing.relates_to == "urn:uuid:0fbfdced-6c01-4d09-a110-2201afedaa02"
    assert answer.addressing.message_id is None
    assert answer.addressing.to == ANONYMOUS


def test_samples_fail_when_to_is_not_understood(xds_soap_samples: list[Path]) -> None:
    """The samples mark wsa:To mustUnderstand="1": a node that does not know To must refuse."""
    query = next(p for p in xds_soap_samples if p.name.startswith("RegistryStoredQuery"))
    with pytest.raises(MustUnderstandError) as caught:
        parse_envelope(query.read_bytes(), understood=DEFAULT_UNDERSTOOD - {f"{A}To"})
    assert caught.value.not_understood == (f"{A}To",)


# --- structure -------------------------------------------------------------------------


def test_two_bodies_are_refused() -> None:
    with pytest.raises(EnvelopeError, match="exactly one soap:Body"):
        parse_envelope(envelope_bytes(extra='<s:Body><p:Other xmlns:p="urn:test"/></s:Body>'))


def test_body_not_last_is_refused() -> None:
    data = (
        f'<s:Envelope xmlns:s="{SOAP12}"><s:Body><p:Ping xmlns:p="urn:test"/></s:Body>'
        "<s:Header/></s:Envelope>"
    ).encode()
    with pytest.raises(EnvelopeError, match="last child"):
        parse_envelope(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (f'<s:Envelope xmlns:s="{SOAP12}"><s:Header/></s:Envelope>', "exactly one soap:Body"),
        (f'<s:Envelope xmlns:s="{SOAP12}"><s:Header/><s:Header/><s:Body><x:a xmlns:x="urn:x"/>'
         "</s:Body></s:Envelope>", "at most one soap:Header"),
        (f'<s:Envelope xmlns:s="{SOAP12}"><s:Body/></s:Envelope>', "exactly one element"),
        (f'<s:Envelope xmlns:s="{SOAP12}"><s:Body><a/><b/></s:Body></s:Envelope>',
         "exactly one element"),
        (f'<s:Envelope xmlns:s="{SOAP12}"><x:Extra xmlns:x="urn:x"/><s:Body><a/></s:Body>'
         "</s:Envelope>", "unexpected element"),
        (f'<s:Envelope xmlns:s="{SOAP12}">text<s:Body><a/></s:Body></s:Envelope>',
         "character data"),
        (f'<s:Envelope xmlns:s="{SOAP12}"><s:Header><Unqualified/></s:Header>'
         "<s:Body><a/></s:Body></s:Envelope>", "namespace-qualified"),
        (f'<s:Envelope xmlns:s="{SOAP12}"><s:Body><?pi data?><a/></s:Body></s:Envelope>',
         "processing instructions"),
        (f'<s:Envelope xmlns:s="{SOAP12}"><s:Header><x:H xmlns:x="urn:x" s:mustUnderstand="yes"/>'
         "</s:Header><s:Body><a/></s:Body></s:Envelope>", "xs:boolean"),
    ],
    ids=["no-body", "two-headers", "empty-body", "two-payloads", "foreign-child", "text",
         "unqualified-header", "pi", "bad-boolean"],
)
def test_malformed_envelopes_are_refused(data: str, message: str) -> None:
    with pytest.raises(EnvelopeError, match=message):
        parse_envelope(data.encode())


def test_processing_instruction_deep_in_the_payload_is_refused() -> None:
    body = '<p:Ping xmlns:p="urn:test"><p:Inner><?xml-stylesheet href="x.xsl"?></p:Inner></p:Ping>'
    with pytest.raises(EnvelopeError, match="processing instructions"):
        parse_envelope(envelope_bytes(body=body))


def test_comments_and_whitespace_are_tolerated() -> None:
    data = envelope_bytes(header="<!-- no header blocks -->\n  ",
                          body='\n  <!-- payload -->\n  <p:Ping xmlns:p="urn:test"/>\n')
    assert parse_envelope(data).body_payload.tag == "{urn:test}Ping"


def test_hostile_xml_inside_an_envelope_is_refused_by_the_parser() -> None:
    data = b'<!DOCTYPE s:Envelope [<!ENTITY x "y">]>' + envelope_bytes()
    with pytest.raises(XmlForbiddenConstructError):
        parse_envelope(data)


# --- mustUnderstand ----------------------------------------------------------------------

UNKNOWN_BLOCK = '<x:Billing xmlns:x="urn:unknown" s:mustUnderstand="{value}"/>'


@pytest.mark.parametrize("value", ["true", "1", " true "])
def test_unknown_must_understand_header_is_refused(value: str) -> None:
    with pytest.raises(MustUnderstandError) as caught:
        parse_envelope(envelope_bytes(header=UNKNOWN_BLOCK.format(value=value)))
    assert caught.value.not_understood == ("{urn:unknown}Billing",)
    assert caught.value.fault_code == "MustUnderstand"


@pytest.mark.parametrize("value", ["false", "0"])
def test_must_understand_false_is_ignored(value: str) -> None:
    parsed = parse_envelope(envelope_bytes(header=UNKNOWN_BLOCK.format(value=value)))
    assert [block.tag for block in parsed.header_blocks] == ["{urn:unknown}Billing"]


def test_known_must_understand_header_passes() -> None:
    header = f'<a:Action s:mustUnderstand="true">{ITI18_ACTION}</a:Action>' + UNKNOWN_BLOCK.format(
        value="1"
    )
    parsed = parse_envelope(envelope_bytes(header=header),
                            understood=DEFAULT_UNDERSTOOD | {"{urn:unknown}Billing"})
    assert parsed.addressing is not None and parsed.addressing.action == ITI18_ACTION


def test_must_understand_for_another_role_is_not_ours() -> None:
    header = (
        '<x:Billing xmlns:x="urn:unknown" s:mustUnderstand="true" '
        's:role="http://example.org/some-intermediary"/>'
        '<x:Audit xmlns:x="urn:unknown" s:mustUnderstand="true" '
        f's:role="{SOAP12}/role/none"/>'
    )
    assert len(parse_envelope(envelope_bytes(header=header)).header_blocks) == 2
    targeted = header.replace("http://example.org/some-intermediary", f"{SOAP12}/role/next")
    with pytest.raises(MustUnderstandError):
        parse_envelope(envelope_bytes(header=targeted))


def test_soap11_must_understand_attribute_is_not_soap12s() -> None:
    header = ('<x:Billing xmlns:x="urn:unknown" xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"'
              ' e:mustUnderstand="1"/>')
    assert len(parse_envelope(envelope_bytes(header=header)).header_blocks) == 1


def test_two_security_headers_are_refused() -> None:
    security = f'<w:Security xmlns:w="{WSSE}"/>'
    with pytest.raises(EnvelopeError, match="wsse:Security"):
        parse_envelope(envelope_bytes(header=security * 2))


# --- version and look-alikes -------------------------------------------------------------


def test_soap11_envelope_is_a_version_mismatch() -> None:
    data = envelope_bytes(root_ns="http://schemas.xmlsoap.org/soap/envelope/")
    with pytest.raises(VersionMismatchError, match=r"SOAP 1\.1") as caught:
        parse_envelope(data)
    assert caught.value.fault_code == "VersionMismatch"
    assert caught.value.received == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"


@pytest.mark.parametrize(
    "namespace",
    [
        "http://www.w3.org/2003/05/soap-envelope/",
        "http://www.w3.org/2003/05/SOAP-Envelope",
        "https://www.w3.org/2003/05/soap-envelope",
        "http://www.w3.org/2003/05/soap-envelope#",
        "http://www.w3.org/2001/12/soap-envelope",
    ],
    ids=["trailing-slash", "case", "https", "fragment", "draft-2001"],
)
def test_look_alike_namespace_is_refused(namespace: str) -> None:
    with pytest.raises(EnvelopeError, match="look-alike") as caught:
        parse_envelope(envelope_bytes(root_ns=namespace))
    assert isinstance(caught.value, VersionMismatchError)


def test_look_alike_body_inside_a_real_envelope_is_refused() -> None:
    data = (
        f'<s:Envelope xmlns:s="{SOAP12}" xmlns:f="{SOAP12}/"><f:Body><a/></f:Body></s:Envelope>'
    ).encode()
    with pytest.raises(EnvelopeError, match="unexpected element"):
        parse_envelope(data)


def test_other_root_is_refused() -> None:
    with pytest.raises(VersionMismatchError, match=r"not a SOAP 1\.2 Envelope"):
        parse_envelope(f'<AdhocQueryRequest xmlns="{QUERY}"/>'.encode())
    with pytest.raises(VersionMismatchError, match=r"Body' is not a SOAP 1\.2 Envelope"):
        parse_envelope(f'<s:Body xmlns:s="{SOAP12}"><a/></s:Body>'.encode())
