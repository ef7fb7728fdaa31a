"""Turn an HTTP answer into a checked envelope or the typed error it stands for."""

from __future__ import annotations

import re
from email.message import Message

from dmpkit.soap.envelope import DEFAULT_UNDERSTOOD, ParsedEnvelope, read_envelope
from dmpkit.soap.errors import HttpStatusError, SoapError, SoapFaultError
from dmpkit.soap.media import SOAP12_MEDIA_TYPE
from dmpkit.xmlparse import DEFAULT_LIMITS, XmlLimits, XmlSecurityError, parse_xml

__all__ = ["parse_response"]

# SOAP 1.2 Part 2 §7.5.2.2: a Sender fault travels with HTTP 400, other faults with 500;
# the SI DMP uses 500 for every fault.
_FAULT_STATUSES = frozenset({400, 500})
_EXCERPT_BYTES = 2048
_EXCERPT_CHARS = 300
# Runs that may be identifiers (NIR/INS, RPPS, ADELI, FINESS: 9+ digits), e-mail
# addresses, or tokens (long base64/hex runs) are masked before an excerpt is shown.
_REDACT = re.compile(
    r"\d[\d ]{7,}\d|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[A-Za-z0-9+/=_-]{32,}"
)


def parse_response(
    status_code: int,
    content_type: str,
    body: bytes,
    *,
    understood: frozenset[str] = DEFAULT_UNDERSTOOD,
    limits: XmlLimits = DEFAULT_LIMITS,
) -> ParsedEnvelope:
    """Read a SOAP 1.2 HTTP response.

    For an MTOM answer, pass the already-extracted root part and its content type
    (``application/xop+xml; type="application/soap+xml"``).

    Args:
        status_code: the HTTP status.
        content_type: the ``Content-Type`` header (or the MTOM root part's).
        body: the response body (or the MTOM root part).
        understood: Clark names of the header blocks the caller processes.
        limits: the hardened parser's bounds.

    Returns:
        The checked envelope of a 2xx answer.

    Raises:
        SoapFaultError: the answer is a SOAP fault (HTTP 500 — or 400, or even 2xx).
        HttpStatusError: any other status, or a body that is not SOAP 1.2.
        XmlSecurityError: a 2xx SOAP body refused by the hardened parser.
        EnvelopeError: a 2xx SOAP body that breaks the SOAP 1.2 rules.
    """
    success = 200 <= status_code < 300
    if not success and status_code not in _FAULT_STATUSES:
        raise _http_error("unexpected HTTP status", status_code, content_type, body)
    media_type = _soap_media_type(content_type)
    if media_type is None:
        if content_type.split(";")[0].strip().lower().startswith("multipart/"):
            raise _http_error(
                "multipart answer: extract the MTOM root part first (dmpkit.mtom)",
                status_code, content_type, body,
            )
        raise _http_error("answer is not SOAP 1.2", status_code, content_type, body)
    try:
        root = parse_xml(body, limits=limits)
    except XmlSecurityError as exc:
        if success:
            raise
        message = "error answer is not parsable XML"
        raise _http_error(message, status_code, content_type, body) from exc
    try:
        envelope = read_envelope(root, understood=understood, http_status=status_code)
    except SoapFaultError:
        raise
    except SoapError as exc:
        if success:
            raise
        message = "error answer is not a SOAP fault"
        raise _http_error(message, status_code, content_type, body) from exc
    if not success:
        # A well-formed envelope that is not a fault cannot explain an error status.
        raise _http_error("error status without a SOAP fault", status_code, content_type, body)
    return envelope


def _soap_media_type(content_type: str) -> str | None:
    header = Message()
    header["content-type"] = content_type or "application/octet-stream"
    media_type = header.get_content_type()
    if media_type == SOAP12_MEDIA_TYPE:
        return media_type
    if media_type == "application/xop+xml" and (
        str(header.get_param("type", "")).lower() == SOAP12_MEDIA_TYPE
    ):
        return media_type
    return None


def _http_error(message: str, status: int, content_type: str, body: bytes) -> HttpStatusError:
    return HttpStatusError(
        message, status=status, content_type=content_type, excerpt=redacted_excerpt(body)
    )


def redacted_excerpt(body: bytes) -> str:
    """The start of a body as one line of text, bounded, identifiers and tokens masked."""
    text = body[:_EXCERPT_BYTES].decode("utf-8", errors="replace")
    text = " ".join(text.split())
    text = _REDACT.sub("[…]", text)
    return text[:_EXCERPT_CHARS] + ("…" if len(text) > _EXCERPT_CHARS else "")
