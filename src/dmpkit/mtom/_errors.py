"""Typed refusals of the MTOM/XOP codec."""

from __future__ import annotations

from dmpkit.errors import DmpkitError

__all__ = [
    "MtomError",
    "MtomHeaderError",
    "MtomLimitError",
    "MtomReferenceError",
    "MtomStartError",
    "MtomStructureError",
    "MtomTruncatedError",
]


class MtomError(DmpkitError):
    """A multipart/related (MTOM/XOP) message could not be built or was refused."""


class MtomHeaderError(MtomError):
    """A MIME header is malformed, missing a required parameter, or would allow injection."""


class MtomStructureError(MtomError):
    """The multipart body does not follow RFC 2046 framing (delimiters, part headers)."""


class MtomTruncatedError(MtomStructureError):
    """The body ends before the closing boundary delimiter: the message was cut short."""


class MtomStartError(MtomError):
    """The root part named by the ``start`` parameter is absent or not an XOP package."""


class MtomReferenceError(MtomError):
    """An ``xop:Include`` names no part, or two parts share one Content-ID."""


class MtomLimitError(MtomError):
    """A configured bound (part count, part size, header size) was exceeded."""
