"""MTOM/XOP both ways: build and parse multipart/related SOAP 1.2 messages.

ITI-41 requests and ITI-43 responses carry documents as ``xop:Include`` references to MIME
parts (REFERENCE §1.4, §10.2). :func:`encode` builds such a message without copying the
payloads; :func:`decode` parses one into zero-copy views and refuses truncated bodies,
wrong ``start`` parameters, duplicate or unresolved Content-IDs and oversized input.
"""

from __future__ import annotations

from dmpkit.mtom._decode import MtomDecoded, decode, is_multipart
from dmpkit.mtom._encode import ROOT_CONTENT_TYPE, encode, encode_envelope
from dmpkit.mtom._errors import (
    MtomError,
    MtomHeaderError,
    MtomLimitError,
    MtomReferenceError,
    MtomStartError,
    MtomStructureError,
    MtomTruncatedError,
)
from dmpkit.mtom._headers import MediaType, cid_from_href, href_for_cid, parse_media_type
from dmpkit.mtom._model import MtomLimits, MtomMessage, MtomPart, payload_size
from dmpkit.mtom._xop import (
    DOCUMENT_QNAME,
    XOP_INCLUDE,
    XopReference,
    externalize,
    find_includes,
    inline_includes,
)

__all__ = [
    "DOCUMENT_QNAME",
    "ROOT_CONTENT_TYPE",
    "XOP_INCLUDE",
    "MediaType",
    "MtomDecoded",
    "MtomError",
    "MtomHeaderError",
    "MtomLimitError",
    "MtomLimits",
    "MtomMessage",
    "MtomPart",
    "MtomReferenceError",
    "MtomStartError",
    "MtomStructureError",
    "MtomTruncatedError",
    "XopReference",
    "cid_from_href",
    "decode",
    "encode",
    "encode_envelope",
    "externalize",
    "find_includes",
    "href_for_cid",
    "inline_includes",
    "is_multipart",
    "parse_media_type",
    "payload_size",
]
