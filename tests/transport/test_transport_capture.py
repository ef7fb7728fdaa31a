"""Wire capture and redaction: an INS, a name, a certificate never reach captures or logs."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest

from dmpkit import mtom
from dmpkit.transport import (
    RedactingFilter,
    SoapHttpClient,
    TransportConfig,
    WireCapture,
    asgi_transport,
    redact_headers,
    redact_text,
)


def _nir_key(nir13: str) -> str:
    """INSEE rule (REFERENCE §5): key = 97 - (NIR mod 97), Corsica 2A→19, 2B→18."""
    number = int(nir13.replace("2A", "19").replace("2B", "18"))
    return f"{97 - number % 97:02d}"


# A test-platform patient of REFERENCE §5 (INS-NIR test OID .10), rebuilt with its key.
NIR13 = "2770763220829"
INS = NIR13 + _nir_key(NIR13)
INS_OID = "1.2.250.1.213.1.4.10"


def _message(certificate_der: bytes) -> bytes:
    certificate_b64 = base64.b64encode(certificate_der).decode()
    return f"""<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
        xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
      <s:Header><saml:Assertion>
        <saml:Attribute Name="urn:oasis:names:tc:xacml:2.0:resource:resource-id">
          <saml:AttributeValue>{INS}^^^&amp;{INS_OID}&amp;ISO</saml:AttributeValue></saml:Attribute>
        <ds:Signature><ds:SignatureValue>c2lnbmF0dXJlLXZhbHVl</ds:SignatureValue>
          <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{certificate_b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
        </ds:Signature></saml:Assertion></s:Header>
      <s:Body><PRPA_IN201307UV02 xmlns="urn:hl7-org:v3"><patientIdentifier>
        <value root="{INS_OID}" extension="{INS}"/></patientIdentifier>
        <name><family qualifier="BR">DUPONTEL</family><given>MARIELLE</given></name>
        <birthTime value="19770731"/>
      </PRPA_IN201307UV02></s:Body></s:Envelope>""".encode()


def _sensitive(pki: Any) -> list[str]:
    der_b64 = base64.b64encode(pki.client.certificate.public_bytes(_der())).decode()
    return [INS, der_b64[:40], "DUPONTEL", "MARIELLE", "19770731", "c2lnbmF0dXJlLXZhbHVl"]


def _der() -> Any:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def test_the_key_rule_gives_a_valid_matricule() -> None:
    assert len(INS) == 15 and INS.startswith(NIR13)


def test_capture_of_ins_and_certificate_shows_neither(echo_app: Any, pki: Any) -> None:
    body = _message(pki.client.certificate.public_bytes(_der()))
    capture = WireCapture()
    config = TransportConfig(base_url="https://127.0.0.1")
    with SoapHttpClient(
        config,
        transport=asgi_transport(echo_app, client_cert_pem=pki.client.cert_pem),
        capture=capture,
    ) as client:
        client.post(
            "patients",
            body,
            "application/soap+xml",
            action="urn:hl7-org:v3:PRPA_IN201307UV02",
            idempotent=True,
        )
    text = capture.format()
    assert (
        "PRPA_IN201307UV02" in text and "***" in text and ">>> POST" in text and "<<< 200" in text
    )
    for secret in _sensitive(pki):
        assert secret not in text, secret
    # The same capture unredacted does show them: the test above is not vacuous.
    raw = WireCapture(redact=False)
    with SoapHttpClient(
        config, transport=asgi_transport(echo_app, client_cert_pem=None), capture=raw
    ) as client:
        client.post("patients", body, "application/soap+xml", action="urn:x", idempotent=True)
    assert all(secret in raw.format() for secret in _sensitive(pki))


def test_capture_summarises_mtom_parts(echo_app: Any) -> None:
    root = (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        b'<D xmlns:xop="http://www.w3.org/2004/08/xop/include"><xop:Include href="cid:d@x"/></D>'
        b"</s:Body></s:Envelope>"
    )
    payload = b"%PDF" + b"\x00" * (1024 * 1024 + 200_000)
    message = mtom.encode(root, [mtom.MtomPart("d@x", "application/pdf", payload)], action="urn:a")
    capture = WireCapture()
    with SoapHttpClient(
        TransportConfig(base_url="https://127.0.0.1"),
        transport=asgi_transport(echo_app, client_cert_pem=None),
        capture=capture,
    ) as client:
        client.post(
            "repository", message.body, message.content_type, action="urn:a", idempotent=False
        )
    exchange = capture.exchanges[0]
    assert "<binary 1.2 MB sha256=" in exchange.request_body
    assert "xop:Include" in exchange.request_body
    assert len(exchange.request_body) < 5_000


def test_logging_filter_masks_identifiers_and_keys(
    caplog: pytest.LogCaptureFixture, pki: Any
) -> None:
    logger = logging.getLogger("dmpkit.test.redaction")
    logger.addFilter(RedactingFilter())
    try:
        with caplog.at_level(logging.INFO, logger=logger.name):
            logger.info("patient %s key %s", INS, pki.client.key_pem.decode())
    finally:
        logger.filters.clear()
    message = caplog.records[0].getMessage()
    assert INS not in message
    assert "PRIVATE KEY-----***-----END" in message
    assert pki.client.key_pem.decode().splitlines()[1] not in message


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        (f"PID-3|{INS}^^^&1.2.250.1.213.1.4.8&ISO^NH", INS),
        ("PID-5|DUPONTEL^MARIELLE^^^^^L", "DUPONTEL"),
        ("<rim:Value>TMP0042^^^&amp;1.2.250.1.213.1.4.9&amp;ISO</rim:Value>", "TMP0042"),
        ('<id extension="123456789012345" root="1.2.250.1.213.1.4.9"/>', "123456789012345"),
        (f"matricule {INS[:5]}2A{INS[7:]}", f"{INS[:5]}2A{INS[7:]}"),  # Corsica
        (
            "<wsse:BinarySecurityToken ValueType='x'>TUlJQ2RqQ0NB</wsse:BinarySecurityToken>",
            "TUlJQ2RqQ0NB",
        ),
    ],
)
def test_redaction_patterns(text: str, leak: str) -> None:
    assert leak not in redact_text(text)


def test_redaction_keeps_ordinary_numbers_and_oids() -> None:
    text = "uniqueId 1.2.250.1.213.1.4.10.12345678901234 size 20250115093000 status 200"
    assert redact_text(text) == text


def test_authorization_headers_are_masked() -> None:
    headers = redact_headers(
        {"Authorization": "Bearer abc", "Content-Type": "application/soap+xml"}
    )
    assert headers == {"Authorization": "***", "Content-Type": "application/soap+xml"}
