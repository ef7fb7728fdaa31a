"""WS-Addressing 1.0 headers on receipt: required, single, well-formed."""

from __future__ import annotations

import pytest

from dmpkit.namespaces import SOAP12, WSA
from dmpkit.soap import AddressingError, parse_envelope
from dmpkit.soap.addressing import MISSING_HEADER_REASON

ACTION = '<a:Action s:mustUnderstand="true">urn:ihe:iti:2007:RegistryStoredQuery</a:Action>'
MESSAGE_ID = "<a:MessageID>urn:uuid:a02ca8cd-86fa-4afc-a27c-616c183b2055</a:MessageID>"
TO = "<a:To>https://lps2.dmp.gouv.fr/si-dmp-server/v2/services/registry</a:To>"


def envelope(header: str) -> bytes:
    return (
        f'<s:Envelope xmlns:s="{SOAP12}" xmlns:a="{WSA}"><s:Header>{header}</s:Header>'
        '<s:Body><p:Ping xmlns:p="urn:test"/></s:Body></s:Envelope>'
    ).encode()


def test_the_ws_a_message_dmp_returns_matches_the_ws_a_binding() -> None:
    # REFERENCE §10.2 quotes the SI DMP; WS-Addressing 1.0 SOAP Binding §6.4.3 defines it.
    assert MISSING_HEADER_REASON == (
        "A required header representing a Message Addressing Property is not present"
    )


def test_missing_action_is_refused_when_required() -> None:
    with pytest.raises(AddressingError) as caught:
        parse_envelope(envelope(MESSAGE_ID + TO), require_addressing=True)
    error = caught.value
    assert MISSING_HEADER_REASON in str(error)
    assert error.header == f"{{{WSA}}}Action"
    assert error.fault_code == "Sender"
    assert error.fault_subcodes == (f"{{{WSA}}}MessageAddressingHeaderRequired",)


def test_no_addressing_at_all_is_refused_only_when_required() -> None:
    assert parse_envelope(envelope("")).addressing is None
    with pytest.raises(AddressingError, match=MISSING_HEADER_REASON):
        parse_envelope(envelope(""), require_addressing=True)


def test_any_ws_a_header_makes_action_mandatory() -> None:
    with pytest.raises(AddressingError, match="Action"):
        parse_envelope(envelope(MESSAGE_ID + TO))


@pytest.mark.parametrize("duplicate", [ACTION, MESSAGE_ID, TO])
def test_duplicate_ws_a_headers_are_refused(duplicate: str) -> None:
    header = ACTION + MESSAGE_ID + TO + duplicate
    with pytest.raises(AddressingError, match="appears twice") as caught:
        parse_envelope(envelope(header))
    assert caught.value.fault_subcodes == (f"{{{WSA}}}InvalidAddressingHeader",)


def test_empty_action_is_refused() -> None:
    with pytest.raises(AddressingError, match="one URI"):
        parse_envelope(envelope('<a:Action s:mustUnderstand="true">  </a:Action>'))


def test_reply_to_needs_one_address() -> None:
    with pytest.raises(AddressingError, match="exactly one Address"):
        parse_envelope(envelope(ACTION + "<a:ReplyTo/>"))


def test_relates_to_of_other_relationships_is_not_the_reply() -> None:
    header = (
        ACTION + "<a:RelatesTo>urn:uuid:1</a:RelatesTo>"
        '<a:RelatesTo RelationshipType="urn:example:other">urn:uuid:2</a:RelatesTo>'
    )
    parsed = parse_envelope(envelope(header))
    assert parsed.addressing is not None and parsed.addressing.relates_to == "urn:uuid:1"
    with pytest.raises(AddressingError, match="more than one reply"):
        parse_envelope(envelope(ACTION + "<a:RelatesTo>urn:uuid:1</a:RelatesTo>" * 2))


def test_older_ws_a_namespace_is_not_mistaken_for_ws_a_1_0() -> None:
    old = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
    header = f'<o:Action xmlns:o="{old}">urn:x</o:Action>'
    assert parse_envelope(envelope(header)).addressing is None
    with pytest.raises(AddressingError):
        parse_envelope(envelope(header), require_addressing=True)
