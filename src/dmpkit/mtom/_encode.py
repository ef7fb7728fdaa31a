"""Build a multipart/related MTOM message (W3C XOP, SOAP 1.2 MTOM) without copying payloads."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from copy import deepcopy

from lxml import etree

from dmpkit import testmode
from dmpkit.mtom._errors import MtomHeaderError, MtomReferenceError
from dmpkit.mtom._headers import check_header_value, format_media_type
from dmpkit.mtom._model import MtomMessage, MtomPart
from dmpkit.mtom._xop import DOCUMENT_QNAME, externalize, find_includes
from dmpkit.xmlparse import parse_xml

__all__ = ["ROOT_CONTENT_TYPE", "encode", "encode_envelope"]

# Root part type observed for DMP ITI-41 (REFERENCE §1.4).
ROOT_CONTENT_TYPE = 'application/xop+xml; charset=UTF-8; type="application/soap+xml"'
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_CONTENT_ID = re.compile(r"[!#$%&'*+\-/=?^_`{|}~0-9A-Za-z.@\[\]:]+")


def _check_content_id(content_id: str) -> None:
    if not _CONTENT_ID.fullmatch(content_id):
        raise MtomHeaderError(
            f"Content-ID {content_id[:80]!r} is not an addr-spec (no spaces, <>, controls)"
        )


def _contains(data: bytes | memoryview, needle: bytes) -> bool:
    if isinstance(data, memoryview):
        # re searches any buffer in place, so a memoryview payload is not copied.
        return re.search(re.escape(needle), data) is not None
    return needle in data


def encode(
    root_xml: bytes,
    parts: Sequence[MtomPart],
    *,
    action: str | None,
    boundary: str | None = None,
    root_content_id: str | None = None,
) -> MtomMessage:
    """Build the multipart/related body of an MTOM SOAP 1.2 message.

    Every ``xop:Include`` in ``root_xml`` must name one of ``parts`` and every part must be
    named; payloads are referenced, not copied, until :attr:`MtomMessage.body` is read.

    Args:
        root_xml: the SOAP envelope with ``xop:Include href="cid:…"`` where binary content goes.
        parts: the binary parts.
        action: the SOAP action (``action`` parameter of the Content-Type), or ``None``.
        boundary: the MIME boundary; a fresh one by default (seeded in test mode).
        root_content_id: the root part's Content-ID; a fresh one by default.

    Returns:
        The message: ``content_type`` for the HTTP header and the body chunks.

    Raises:
        MtomHeaderError: a header value would be malformed or inject headers.
        MtomReferenceError: references and parts do not match one to one.
    """
    boundary = boundary or f"MIMEBoundary_{testmode.new_uuid().hex}"
    if not _BOUNDARY.fullmatch(boundary):
        raise MtomHeaderError(f"boundary {boundary[:80]!r} is not a valid RFC 2046 boundary")
    root_id = root_content_id or f"root.{testmode.new_uuid()}@dmpkit"
    _check_content_id(root_id)
    seen = {root_id}
    for part in parts:
        _check_content_id(part.content_id)
        check_header_value("Content-Type", part.content_type)
        if part.content_id in seen:
            raise MtomReferenceError(f"Content-ID {part.content_id!r} is used twice")
        seen.add(part.content_id)
    referenced = {reference.content_id for reference in find_includes(parse_xml(root_xml))}
    unresolved = referenced - seen
    if unresolved or root_id in referenced:
        raise MtomReferenceError(f"xop:Include names no part: {sorted(unresolved or {root_id})}")
    unreferenced = [part.content_id for part in parts if part.content_id not in referenced]
    if unreferenced:
        raise MtomReferenceError(f"parts not referenced by any xop:Include: {unreferenced}")
    delimiter = b"\r\n--" + boundary.encode("ascii")
    for name, data in [("root", root_xml), *((p.content_id, p.data) for p in parts)]:
        if _contains(data, delimiter):
            raise MtomHeaderError(f"the boundary occurs inside part {name!r}: choose another")

    chunks: list[bytes | memoryview] = []
    entries: list[tuple[str, str, bytes | memoryview]] = [(root_id, ROOT_CONTENT_TYPE, root_xml)]
    entries += [(part.content_id, part.content_type, part.data) for part in parts]
    for index, (content_id, content_type, data) in enumerate(entries):
        head = (
            (b"--" if index == 0 else b"\r\n--")
            + boundary.encode("ascii")
            + b"\r\nContent-Type: " + content_type.encode("ascii")
            + b"\r\nContent-Transfer-Encoding: binary"
            + b"\r\nContent-ID: <" + content_id.encode("ascii") + b">\r\n\r\n"
        )
        chunks.extend((head, data))
    chunks.append(b"\r\n--" + boundary.encode("ascii") + b"--\r\n")
    parameters = {
        "boundary": boundary,
        "type": "application/xop+xml",
        "start": f"<{root_id}>",
        "start-info": "application/soap+xml",
    }
    if action is not None:
        parameters["action"] = action
    content_type = format_media_type("multipart/related", parameters)
    return MtomMessage(content_type, chunks, boundary, root_id)


def encode_envelope(
    envelope: etree._Element,
    *,
    action: str | None,
    qnames: Iterable[str] = (DOCUMENT_QNAME,),
    content_type: str = "application/octet-stream",
    boundary: str | None = None,
) -> MtomMessage:
    """Encode a SOAP envelope whose documents are inline base64, as MTOM with XOP parts.

    The caller's tree is left untouched (a copy is rewritten).

    Args:
        envelope: the SOAP envelope, e.g. an ITI-41 request with ``xdsb:Document`` base64 text.
        action: the SOAP action.
        qnames: the base64 elements to move out (``xdsb:Document`` by default).
        content_type: media type of the binary parts.
        boundary: an explicit MIME boundary.
    """
    tree = deepcopy(envelope)
    parts = externalize(tree, qnames=qnames, content_type=content_type)
    root_xml = etree.tostring(tree, encoding="UTF-8", xml_declaration=False)
    return encode(root_xml, parts, action=action, boundary=boundary)
