"""SOAP 1.2 with WS-Addressing 1.0 for the DMP web services.

Build an envelope around a payload (:func:`build_envelope`), send :func:`serialize`'s bytes,
and read the answer with :func:`parse_response` — which returns a checked
:class:`ParsedEnvelope` or raises a typed error: :class:`SoapFaultError` for a SOAP fault,
:class:`HttpStatusError` for anything that is not SOAP. The local server uses
:func:`parse_envelope` on requests and :func:`build_fault` for its answers.
"""

from __future__ import annotations

from dmpkit.soap.addressing import ANONYMOUS, Addressing, new_message_id
from dmpkit.soap.envelope import (
    DEFAULT_UNDERSTOOD,
    ParsedEnvelope,
    build_envelope,
    parse_envelope,
    read_envelope,
    serialize,
)
from dmpkit.soap.errors import (
    AddressingError,
    EnvelopeError,
    FaultReason,
    HttpStatusError,
    MustUnderstandError,
    SoapError,
    SoapFaultError,
    VersionMismatchError,
)
from dmpkit.soap.faults import build_fault, read_fault
from dmpkit.soap.media import SOAP12_MEDIA_TYPE, content_type
from dmpkit.soap.response import parse_response

__all__ = [
    "ANONYMOUS",
    "DEFAULT_UNDERSTOOD",
    "SOAP12_MEDIA_TYPE",
    "Addressing",
    "AddressingError",
    "EnvelopeError",
    "FaultReason",
    "HttpStatusError",
    "MustUnderstandError",
    "ParsedEnvelope",
    "SoapError",
    "SoapFaultError",
    "VersionMismatchError",
    "build_envelope",
    "build_fault",
    "content_type",
    "new_message_id",
    "parse_envelope",
    "parse_response",
    "read_envelope",
    "read_fault",
    "serialize",
]
