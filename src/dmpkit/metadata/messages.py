"""Find the XDS metadata in any ITI-41 / ITI-42 / ITI-57 message as a vendor has it on disk.

Accepted: a bare ``lcm:SubmitObjectsRequest``, an ``xdsb:ProvideAndRegisterDocumentSetRequest``,
either inside a SOAP 1.2 envelope, or a raw MTOM (multipart/related) capture, with or without
its HTTP headers. Query responses (``query:AdhocQueryResponse``) are read too.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from dmpkit.errors import DmpkitError
from dmpkit.metadata.ebrim import MetadataDecodeError, find_registry_object_list
from dmpkit.mtom import MtomError
from dmpkit.mtom import decode as decode_mtom
from dmpkit.mtom._xop import XOP_INCLUDE
from dmpkit.namespaces import LCM, QUERY, RIM, RS, SOAP12, XDSB
from dmpkit.xmlparse import parse_xml

__all__ = ["MessageFormatError", "MetadataMessage", "read_message"]

_PREFIXES = {SOAP12: "soap", XDSB: "xdsb", LCM: "lcm", QUERY: "query", RIM: "rim", RS: "rs"}
_SUBMISSIONS = {f"{{{LCM}}}SubmitObjectsRequest", f"{{{XDSB}}}ProvideAndRegisterDocumentSetRequest"}
_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:")
_START_LINE = re.compile(rb"^(?:[A-Z]+ \S+ HTTP/\d|HTTP/\d)")


class MessageFormatError(DmpkitError):
    """The bytes are not an XDS message dmpkit can read (the message says what was found)."""


@dataclass(frozen=True, slots=True)
class MetadataMessage:
    """The metadata part of a message.

    Attributes:
        kind: ``SubmitObjectsRequest``, ``ProvideAndRegisterDocumentSetRequest``,
            ``AdhocQueryResponse``...: the local name of the transaction element.
        registry_object_list: the ``rim:RegistryObjectList`` element.
        prefix: its XPath-like location in the message.
        documents: ITI-41 documents by id (None for other messages).
        submission: whether the message submits metadata (ITI-41/42/57).
    """

    kind: str
    registry_object_list: etree._Element
    prefix: str
    documents: dict[str, bytes] | None
    submission: bool


def _path(element: etree._Element) -> str:
    steps = []
    node: etree._Element | None = element
    while node is not None:
        qname = etree.QName(node)
        prefix = _PREFIXES.get(qname.namespace or "", "")
        steps.append(f"{prefix}:{qname.localname}" if prefix else qname.localname)
        node = node.getparent()
    return "/" + "/".join(reversed(steps))


def _split_capture(data: bytes) -> tuple[str, bytes]:
    """(Content-Type, body) of a raw MTOM capture; the HTTP start line and headers are optional."""
    text = data.lstrip(b"\r\n")
    content_type = None
    if _START_LINE.match(text) or _HEADER.match(text):
        separator = b"\r\n\r\n" if b"\r\n\r\n" in text else b"\n\n"
        head, _, text = text.partition(separator)
        for line in head.splitlines():
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-type":
                content_type = value.strip().decode("latin-1")
    if content_type is None:
        first = text.split(b"\n", 1)[0].strip()
        if not first.startswith(b"--"):
            raise MessageFormatError("neither XML nor a multipart capture (no --boundary line)")
        boundary = first[2:].decode("latin-1")
        content_type = f'multipart/related; type="application/xop+xml"; boundary="{boundary}"'
    return content_type, text


def _root(data: bytes, content_type: str | None) -> tuple[etree._Element, dict[str, bytes]]:
    stripped = data.lstrip()
    if content_type is None and stripped.startswith(b"<"):
        return parse_xml(data), {}
    if content_type is None:
        content_type, data = _split_capture(data)
    try:
        decoded = decode_mtom(content_type, data)
        root = decoded.root_element()
    except MtomError as error:
        raise MessageFormatError(f"not a readable MTOM message: {error}") from None
    return root, {cid: part.tobytes() for cid, part in decoded.attachments.items()}


def _documents(request: etree._Element, attachments: dict[str, bytes]) -> dict[str, bytes]:
    documents: dict[str, bytes] = {}
    for element in request.iterchildren(f"{{{XDSB}}}Document"):
        include = next(element.iterchildren(XOP_INCLUDE), None)
        identifier = element.get("id", "")
        if include is not None:
            href = include.get("href", "")
            content = attachments.get(unquote(href.removeprefix("cid:")))
            if content is None:
                raise MessageFormatError(f"xdsb:Document {identifier}: xop:Include {href} "
                                         "names no MIME part")
            documents[identifier] = content
            continue
        try:
            documents[identifier] = base64.b64decode("".join((element.text or "").split()),
                                                     validate=True)
        except binascii.Error:
            raise MessageFormatError(f"xdsb:Document {identifier} is not base64") from None
    return documents


def read_message(data: bytes, content_type: str | None = None) -> MetadataMessage:
    """Locate the metadata (and the ITI-41 documents) in a message.

    Args:
        data: the file or HTTP body bytes.
        content_type: the HTTP Content-Type when known (else sniffed: XML, or a multipart
            capture whose first line is the boundary, optionally after its HTTP headers).

    Raises:
        MessageFormatError: not XML/MTOM, or no metadata inside.
        XmlSecurityError: the hardened parser refused the XML.
    """
    root, attachments = _root(data, content_type)
    body = root
    if root.tag == f"{{{SOAP12}}}Envelope":
        found = root.find(f"{{{SOAP12}}}Body")
        payload = next((c for c in found if isinstance(c.tag, str)), None) if found is not None \
            else None
        if payload is None:
            raise MessageFormatError("the SOAP envelope has an empty Body")
        body = payload
    try:
        objects = find_registry_object_list(body)
    except MetadataDecodeError as error:
        raise MessageFormatError(str(error)) from None
    documents = _documents(body, attachments) if body.tag == \
        f"{{{XDSB}}}ProvideAndRegisterDocumentSetRequest" else None
    return MetadataMessage(etree.QName(body).localname, objects, _path(objects), documents,
                           body.tag in _SUBMISSIONS)



