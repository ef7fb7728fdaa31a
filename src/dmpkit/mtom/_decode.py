"""Parse a multipart/related MTOM message, slicing parts out of the body without copying."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from types import MappingProxyType

from lxml import etree

from dmpkit.mtom._errors import (
    MtomHeaderError,
    MtomLimitError,
    MtomReferenceError,
    MtomStartError,
    MtomStructureError,
    MtomTruncatedError,
)
from dmpkit.mtom._headers import (
    MediaType,
    cid_from_content_id,
    parse_media_type,
    parse_part_headers,
)
from dmpkit.mtom._model import MtomLimits, MtomPart
from dmpkit.mtom._xop import find_includes, inline_includes
from dmpkit.xmlparse import parse_xml

__all__ = ["MtomDecoded", "decode", "is_multipart"]

_IDENTITY_ENCODINGS = {"", "binary", "8bit", "7bit"}


class MtomDecoded:
    """A decoded MTOM message: the root (SOAP) part and the attachments by Content-ID.

    Attachment data are ``memoryview`` windows on the received body: keep the body alive
    as long as you use them, and call ``tobytes()`` on a part to own a copy.

    Attributes:
        media_type: the parsed top-level Content-Type.
        root: the root part (its ``xop:Include`` elements still in place).
        attachments: the other parts, keyed by Content-ID (addr-spec, no ``<>``).
        action: the SOAP action from the Content-Type (top level, or the root's ``type``).
    """

    __slots__ = ("action", "attachments", "media_type", "root")

    def __init__(
        self,
        media_type: MediaType,
        root: MtomPart,
        attachments: Mapping[str, MtomPart],
        action: str | None,
    ) -> None:
        self.media_type = media_type
        self.root = root
        self.attachments = MappingProxyType(dict(attachments))
        self.action = action

    @property
    def root_xml(self) -> bytes:
        """The root part bytes, ``xop:Include`` elements untouched."""
        return self.root.tobytes()

    def resolve(self) -> dict[str, memoryview | bytes]:
        """Check that every ``xop:Include`` in the root names an attachment; map cid → bytes.

        Returns:
            The referenced attachments' data keyed by Content-ID, in document order.

        Raises:
            MtomReferenceError: an Include names no part, or is not a ``cid:`` URL.
        """
        resolved: dict[str, memoryview | bytes] = {}
        for reference in find_includes(parse_xml(self.root_xml)):
            part = self.attachments.get(reference.content_id)
            if part is None:
                raise MtomReferenceError(
                    f"xop:Include names cid {reference.content_id!r}, but the message has only "
                    f"{sorted(self.attachments)}"
                )
            resolved[reference.content_id] = part.data
        return resolved

    def root_element(self, *, inline: bool = False) -> etree._Element:
        """The root part parsed (with the hardened parser).

        Args:
            inline: replace each ``xop:Include`` by the base64 text of its part, giving the
                same tree an un-optimised SOAP message would have.

        Raises:
            MtomReferenceError: ``inline`` is set and a reference does not resolve.
        """
        element = parse_xml(self.root_xml)
        if inline:
            inline_includes(element, {cid: part.data for cid, part in self.attachments.items()})
        return element

    def __repr__(self) -> str:
        return f"MtomDecoded(root={self.root.size} bytes, attachments={list(self.attachments)})"


def is_multipart(content_type: str) -> bool:
    """Tell whether an HTTP Content-Type announces a multipart/related (MTOM) body."""
    try:
        return parse_media_type(content_type).essence == "multipart/related"
    except MtomHeaderError:
        return False


def _decode_transfer(data: memoryview, encoding: str, index: int) -> memoryview | bytes:
    if encoding in _IDENTITY_ENCODINGS:
        return data
    try:
        if encoding == "base64":
            return base64.b64decode(bytes(data))
        if encoding == "quoted-printable":
            return binascii.a2b_qp(bytes(data))
    except (binascii.Error, ValueError):
        raise MtomStructureError(f"part {index}: content is not valid {encoding}") from None
    raise MtomHeaderError(f"part {index}: Content-Transfer-Encoding {encoding!r} is not supported")


def decode(content_type: str, body: bytes, *, limits: MtomLimits | None = None) -> MtomDecoded:
    """Parse an MTOM (multipart/related, XOP) HTTP body.

    Args:
        content_type: the HTTP Content-Type header value.
        body: the HTTP body.
        limits: bounds on parts and sizes (defaults: :class:`MtomLimits`).

    Returns:
        The decoded message; parts are zero-copy views on ``body`` (binary transfer encoding).

    Raises:
        MtomHeaderError: not multipart/related, no boundary, not XOP, or malformed headers.
        MtomTruncatedError: the body ends before the closing boundary.
        MtomStructureError: other framing errors.
        MtomStartError: the ``start`` part is absent or not ``application/xop+xml``.
        MtomReferenceError: two parts share a Content-ID.
        MtomLimitError: a bound in ``limits`` was exceeded.
    """
    limits = limits or MtomLimits()
    media_type = parse_media_type(content_type)
    if media_type.essence != "multipart/related":
        raise MtomHeaderError(f"expected multipart/related, got {media_type.essence}")
    boundary = media_type.get("boundary")
    if not boundary:
        raise MtomHeaderError("multipart/related Content-Type has no boundary parameter")
    declared_type = (media_type.get("type") or "").lower()
    if declared_type != "application/xop+xml":
        raise MtomHeaderError(
            f"multipart/related type is {declared_type or 'absent'!r}: "
            'MTOM needs "application/xop+xml"'
        )
    if not isinstance(body, bytes):
        body = bytes(body)
    if len(body) > limits.max_body_bytes:
        raise MtomLimitError(f"body is {len(body)} bytes, limit is {limits.max_body_bytes}")
    parts = _split(body, boundary.encode("ascii"), limits)

    by_id: dict[str, MtomPart] = {}
    for index, part in enumerate(parts):
        if part.content_id in by_id:
            raise MtomReferenceError(f"Content-ID {part.content_id!r} is used by two parts")
        if part.content_id or index == 0:
            by_id[part.content_id] = part
    start = media_type.get("start")
    if start is not None:
        root_id = cid_from_content_id(start)
        root = by_id.get(root_id)
        if root is None:
            raise MtomStartError(f"start={start!r} names no part; parts are {sorted(by_id)}")
    else:
        root = parts[0]  # RFC 2387: without start, the first part is the root
    root_type = parse_media_type(root.content_type)
    if root_type.essence != "application/xop+xml":
        raise MtomStartError(
            f"root part {root.content_id!r} is {root_type.essence}, expected application/xop+xml"
        )
    attachments = {cid: part for cid, part in by_id.items() if part is not root}
    action = media_type.get("action")
    if action is None:
        inner = root_type.get("type")
        action = parse_media_type(inner).get("action") if inner else None
    return MtomDecoded(media_type, root, attachments, action)


def _split(body: bytes, boundary: bytes, limits: MtomLimits) -> list[MtomPart]:
    dash_boundary = b"--" + boundary
    delimiter = b"\r\n" + dash_boundary
    view = memoryview(body)
    if body.startswith(dash_boundary):
        position = 0
    else:
        found = body.find(delimiter)
        if found < 0:
            raise MtomStructureError("the body holds no boundary delimiter (wrong boundary?)")
        position = found + 2  # skip the preamble and its CRLF
    parts: list[MtomPart] = []
    while True:
        after = position + len(dash_boundary)
        if body.startswith(b"--", after):
            if not parts:
                raise MtomStructureError("the multipart body closes before its first part")
            return parts
        line_end = body.find(b"\r\n", after)
        bare_newline = body.find(b"\n", after)
        if bare_newline >= 0 and (line_end < 0 or bare_newline < line_end):
            raise MtomStructureError("a boundary line ends with LF alone: MIME requires CRLF")
        if line_end < 0:
            raise MtomTruncatedError("the body ends inside a boundary line")
        if body[after:line_end].strip(b" \t"):
            raise MtomStructureError(
                "boundary line followed by unexpected bytes (boundary in data?)"
            )
        if len(parts) >= limits.max_parts:
            raise MtomLimitError(f"more than {limits.max_parts} parts")
        header_start = line_end + 2
        if body.startswith(b"\r\n", header_start):
            header_end, content_start = header_start, header_start + 2
        else:
            header_limit = header_start + limits.max_header_bytes + 4
            header_end = body.find(b"\r\n\r\n", header_start, header_limit)
            if header_end < 0:
                if body.find(b"\r\n\r\n", header_start) < 0:
                    raise MtomTruncatedError(f"the body ends inside part {len(parts)}'s headers")
                raise MtomLimitError(
                    f"part {len(parts)} headers exceed {limits.max_header_bytes} bytes"
                )
            content_start = header_end + 4
        headers = parse_part_headers(body[header_start:header_end], part_index=len(parts))
        next_delimiter = body.find(delimiter, content_start)
        if next_delimiter < 0:
            raise MtomTruncatedError(
                f"part {len(parts)} has no closing boundary: the message was truncated"
            )
        size = next_delimiter - content_start
        if size > limits.max_part_bytes:
            raise MtomLimitError(
                f"part {len(parts)} is {size} bytes, limit is {limits.max_part_bytes}"
            )
        encoding = headers.get("content-transfer-encoding", "").strip().lower()
        data = _decode_transfer(view[content_start:next_delimiter], encoding, len(parts))
        parts.append(
            MtomPart(
                cid_from_content_id(headers.get("content-id", "")),
                headers.get("content-type", "text/plain"),
                data,
            )
        )
        position = next_delimiter + 2
