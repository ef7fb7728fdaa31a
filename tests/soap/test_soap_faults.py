"""SOAP 1.2 faults: the DMP's fault (Sender + DMP subcode + French reason) read and built."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from dmpkit.namespaces import SOAP12, WSA
from dmpkit.soap import (
    Addressing,
    EnvelopeError,
    SoapFaultError,
    build_fault,
    parse_envelope,
    read_fault,
    serialize,
)

SchemaCheck = Callable[[etree._Element], list[str]]

S = f"{{{SOAP12}}}"
# "Le certificat ayant signé le VIHF est invalide" is the DMP's message for this subcode
# (REFERENCE §10.2); the detail after " : " is illustrative.
DMP_REASON = "Le certificat ayant signé le VIHF est invalide : clé d'authentification utilisée"

# Written by hand after SOAP 1.2 Part 1 §5.4 (Code/Value, Subcode/Value, Reason/Text).
DMP_FAULT = f"""<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="{SOAP12}">
  <env:Body>
    <env:Fault>
      <env:Code>
        <env:Value>env:Sender</env:Value>
        <env:Subcode><env:Value>DMPInvalidCertificate</env:Value></env:Subcode>
      </env:Code>
      <env:Reason>
        <env:Text xml:lang="en">The certificate that signed the VIHF is invalid</env:Text>
        <env:Text xml:lang="fr">{DMP_REASON}</env:Text>
      </env:Reason>
      <env:Node>https://lps2.dmp.gouv.fr/si-dmp-server</env:Node>
      <env:Role>{SOAP12}/role/ultimateReceiver</env:Role>
      <env:Detail>
        <d:Info xmlns:d="urn:example:detail">keyUsage=digitalSignature</d:Info>
      </env:Detail>
    </env:Fault>
  </env:Body>
</env:Envelope>""".encode()


def test_dmp_fault_becomes_a_typed_error() -> None:
    with pytest.raises(SoapFaultError) as caught:
        parse_envelope(DMP_FAULT)
    fault = caught.value
    assert fault.code == "Sender"
    assert fault.subcodes == ("DMPInvalidCertificate",)
    assert fault.has_subcode("DMPInvalidCertificate")
    assert fault.reason == DMP_REASON  # the French text is preferred
    assert [(r.lang, r.text[:15]) for r in fault.reasons] == [
        ("en", "The certificate"), ("fr", "Le certificat a"),
    ]
    assert fault.node == "https://lps2.dmp.gouv.fr/si-dmp-server"
    assert fault.role == f"{SOAP12}/role/ultimateReceiver"
    assert fault.detail is not None
    assert fault.detail.findtext("{urn:example:detail}Info") == "keyUsage=digitalSignature"
    assert "Sender/DMPInvalidCertificate" in str(fault)
    assert DMP_REASON in str(fault)


def test_namespaced_nested_subcodes_are_resolved() -> None:
    data = DMP_FAULT.replace(
        b"<env:Subcode><env:Value>DMPInvalidCertificate</env:Value></env:Subcode>",
        b'<env:Subcode><env:Value xmlns:d="urn:dmp">d:DMPInvalidCertificate</env:Value>'
        b'<env:Subcode><env:Value xmlns:q="urn:other">q:Detail</env:Value></env:Subcode>'
        b"</env:Subcode>",
    )
    with pytest.raises(SoapFaultError) as caught:
        parse_envelope(data)
    assert caught.value.subcodes == ("{urn:dmp}DMPInvalidCertificate", "{urn:other}Detail")
    assert caught.value.has_subcode("DMPInvalidCertificate")
    assert not caught.value.has_subcode("Detail2")


def test_fault_code_with_an_undeclared_prefix_is_an_envelope_error() -> None:
    data = DMP_FAULT.replace(b"<env:Value>env:Sender", b"<env:Value>zz:Sender")
    with pytest.raises(EnvelopeError, match="undeclared prefix"):
        parse_envelope(data)


@pytest.mark.parametrize("value", [b"env:&amp;Sender", b"env:", b"1x:Sender", b"env:Send er"])
def test_fault_code_that_is_not_a_qname_is_an_envelope_error(value: bytes) -> None:
    # found by the mutation test: "env:&Sender" reached lxml's QName and escaped as ValueError
    data = DMP_FAULT.replace(b"<env:Value>env:Sender", b"<env:Value>" + value)
    with pytest.raises(EnvelopeError, match="not a qualified name"):
        parse_envelope(data)


def test_fault_without_reason_is_an_envelope_error() -> None:
    start, end = DMP_FAULT.index(b"<env:Reason>"), DMP_FAULT.index(b"</env:Reason>")
    data = DMP_FAULT[:start] + DMP_FAULT[end + len(b"</env:Reason>") :]
    with pytest.raises(EnvelopeError, match="Reason/Text"):
        parse_envelope(data)


@pytest.mark.parametrize(
    "code", ["Sender", "Receiver", "MustUnderstand", "VersionMismatch", "DataEncodingUnknown"]
)
def test_built_faults_are_schema_valid_and_read_back(
    code: str, soap12_errors: SchemaCheck
) -> None:
    detail = etree.Element("{urn:example:detail}Info")
    detail.text = "x"
    envelope = build_fault(
        code, DMP_REASON, subcodes=["DMPInvalidCertificate", "{urn:dmp}Second"], detail=detail,
        node="urn:node", role=f"{SOAP12}/role/ultimateReceiver",
    )
    assert soap12_errors(envelope) == []
    with pytest.raises(SoapFaultError) as caught:
        parse_envelope(serialize(envelope))
    fault = caught.value
    assert (fault.code, fault.subcodes) == (code, ("DMPInvalidCertificate", "{urn:dmp}Second"))
    assert [(r.lang, r.text) for r in fault.reasons] == [("fr", DMP_REASON)]
    assert fault.detail is not None and fault.detail[0].text == "x"
    assert (fault.node, fault.role) == ("urn:node", f"{SOAP12}/role/ultimateReceiver")


def test_must_understand_fault_names_the_blocks(soap12_errors: SchemaCheck) -> None:
    envelope = build_fault(
        "MustUnderstand", "En-tête non compris : Billing",
        not_understood=["{urn:unknown}Billing"],
        addressing=Addressing(action=f"{WSA}/soap/fault", relates_to="urn:uuid:42",
                              message_id=None, reply_to=None),
    )
    assert soap12_errors(envelope) == []
    block = envelope.find(f"{S}Header/{S}NotUnderstood")
    assert block is not None
    prefix, _, local = block.get("qname", "").partition(":")
    assert (block.nsmap[prefix], local) == ("urn:unknown", "Billing")
    relates = envelope.find(f"{S}Header/{{{WSA}}}RelatesTo")
    assert relates is not None and relates.text == "urn:uuid:42"


def test_build_fault_refuses_unknown_codes_and_empty_reasons() -> None:
    with pytest.raises(ValueError, match="fault code"):
        build_fault("Client", "raison")  # SOAP 1.1's name, not SOAP 1.2's
    with pytest.raises(ValueError, match="reason"):
        build_fault("Sender", "")


def test_read_fault_keeps_the_http_status() -> None:
    root = build_fault("Receiver", "Erreur interne : indisponible")
    fault_element = root.find(f"{S}Body/{S}Fault")
    assert fault_element is not None
    error = read_fault(fault_element, http_status=500)
    assert error.http_status == 500 and error.code == "Receiver"
    assert "(HTTP 500)" in str(error)
