"""HTTP answers: SOAP envelopes, SOAP faults over HTTP 500, and everything that is neither."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmpkit.namespaces import SOAP12
from dmpkit.soap import (
    EnvelopeError,
    HttpStatusError,
    SoapFaultError,
    VersionMismatchError,
    content_type,
    parse_response,
)
from dmpkit.xmlparse import XmlSecurityError

SOAP_TYPE = 'application/soap+xml; charset=UTF-8; action="urn:ihe:iti:2007:RegistryStoredQuery"'
MTOM_ROOT_TYPE = 'application/xop+xml; charset=UTF-8; type="application/soap+xml"'

FAULT = f"""<env:Envelope xmlns:env="{SOAP12}"><env:Body><env:Fault>
<env:Code><env:Value>env:Sender</env:Value>
<env:Subcode><env:Value>DMPInvalidCertificate</env:Value></env:Subcode></env:Code>
<env:Reason>
<env:Text xml:lang="fr">Le certificat ayant signé le VIHF est invalide : usage</env:Text>
</env:Reason></env:Fault></env:Body></env:Envelope>""".encode()

GATEWAY_PAGE = b"""<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>
<body><h1>Bad Gateway</h1><p>upstream si-dmp-server failed for patient 1 84 12 75 123 456 78,
contact support@example.org, session eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9abcdefghijkl</p>
</body></html>"""


@pytest.fixture
def query_response_sample(xds_soap_samples: list[Path]) -> bytes:
    sample = next(p for p in xds_soap_samples if p.name.startswith("RetrieveDocumentSetResponse"))
    return sample.read_bytes()


def test_200_with_soap_gives_the_envelope(query_response_sample: bytes) -> None:
    parsed = parse_response(200, SOAP_TYPE, query_response_sample)
    assert parsed.body_payload.tag == "{urn:ihe:iti:xds-b:2007}RetrieveDocumentSetResponse"


def test_mtom_root_part_is_accepted(query_response_sample: bytes) -> None:
    parsed = parse_response(200, MTOM_ROOT_TYPE, query_response_sample)
    assert parsed.addressing is not None


def test_500_with_a_soap_fault_raises_the_fault() -> None:
    with pytest.raises(SoapFaultError) as caught:
        parse_response(500, "application/soap+xml;charset=utf-8", FAULT)
    assert caught.value.http_status == 500
    assert caught.value.code == "Sender"
    assert caught.value.subcodes == ("DMPInvalidCertificate",)
    assert caught.value.reason.startswith("Le certificat ayant signé le VIHF est invalide")


def test_400_with_a_sender_fault_is_a_fault_too() -> None:
    # SOAP 1.2 Part 2 §7.5.2.2 maps Sender faults to HTTP 400.
    with pytest.raises(SoapFaultError) as caught:
        parse_response(400, "application/soap+xml", FAULT)
    assert caught.value.http_status == 400


def test_fault_inside_a_200_is_still_a_fault() -> None:
    with pytest.raises(SoapFaultError):
        parse_response(200, "application/soap+xml", FAULT)


def test_502_html_is_an_http_status_error_with_a_redacted_excerpt() -> None:
    with pytest.raises(HttpStatusError) as caught:
        parse_response(502, "text/html; charset=utf-8", GATEWAY_PAGE)
    error = caught.value
    assert (error.status, error.content_type) == (502, "text/html; charset=utf-8")
    assert "Bad Gateway" in error.excerpt
    for secret in ("1 84 12 75 123 456 78", "support@example.org", "eyJhbGciOiJSUzI1NiIs"):
        assert secret not in error.excerpt
        assert secret not in str(error)
    assert "502" in str(error)


def test_excerpt_is_bounded() -> None:
    with pytest.raises(HttpStatusError) as caught:
        parse_response(503, "text/plain", b"x " * 1_000_000)
    assert len(caught.value.excerpt) <= 301
    assert len(str(caught.value)) < 600


@pytest.mark.parametrize("status", [301, 404, 415, 502, 503])
def test_other_statuses_are_http_status_errors_even_with_a_fault_body(status: int) -> None:
    with pytest.raises(HttpStatusError) as caught:
        parse_response(status, "application/soap+xml", FAULT)
    assert caught.value.status == status


@pytest.mark.parametrize(
    "content_type", ["text/html", "application/json", "", "text/xml", "application/xop+xml"]
)
def test_200_without_a_soap12_content_type_is_refused(content_type: str) -> None:
    with pytest.raises(HttpStatusError, match=r"not SOAP 1\.2"):
        parse_response(200, content_type, FAULT)


def test_raw_multipart_asks_for_the_root_part() -> None:
    with pytest.raises(HttpStatusError, match="MTOM root part"):
        parse_response(200, 'multipart/related; type="application/xop+xml"', b"--b\r\n")


def test_500_with_soap_content_type_but_html_body_is_an_http_status_error() -> None:
    with pytest.raises(HttpStatusError, match="not parsable XML") as caught:
        parse_response(500, "application/soap+xml", GATEWAY_PAGE)
    assert isinstance(caught.value.__cause__, XmlSecurityError)


def test_500_with_an_envelope_that_is_not_a_fault_is_an_http_status_error(
    query_response_sample: bytes,
) -> None:
    with pytest.raises(HttpStatusError, match="without a SOAP fault"):
        parse_response(500, "application/soap+xml", query_response_sample)


def test_500_with_a_soap11_body_is_an_http_status_error() -> None:
    soap11 = FAULT.replace(SOAP12.encode(), b"http://schemas.xmlsoap.org/soap/envelope/")
    with pytest.raises(HttpStatusError, match="not a SOAP fault") as caught:
        parse_response(500, "application/soap+xml", soap11)
    assert isinstance(caught.value.__cause__, VersionMismatchError)


def test_broken_2xx_answers_keep_their_precise_error() -> None:
    with pytest.raises(XmlSecurityError):
        parse_response(200, "application/soap+xml", b"<unclosed>")
    with pytest.raises(EnvelopeError):
        parse_response(200, "application/soap+xml", f'<e:Envelope xmlns:e="{SOAP12}"/>'.encode())


def test_request_content_type_carries_the_action() -> None:
    value = content_type("urn:ihe:iti:2007:RegistryStoredQuery")
    assert value == (
        'application/soap+xml; charset=UTF-8; action="urn:ihe:iti:2007:RegistryStoredQuery"'
    )
    assert content_type() == "application/soap+xml; charset=UTF-8"
    with pytest.raises(ValueError, match="cannot be quoted"):
        content_type('urn:x"; evil="1')
    # What dmpkit sends, dmpkit's own reader accepts.
    with pytest.raises(SoapFaultError):
        parse_response(500, value, FAULT)
