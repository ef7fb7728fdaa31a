"""SOAP 1.2 envelopes: build one around a payload, serialize it, parse and check one received.

Parsing goes through :func:`dmpkit.xmlparse.parse_xml` and then enforces the SOAP 1.2
processing model strictly: the exact envelope namespace, at most one Header then exactly
one Body, namespace-qualified header blocks, and ``mustUnderstand`` honoured.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from lxml import etree

from dmpkit.namespaces import SOAP12, WSSE
from dmpkit.soap import _names as n
from dmpkit.soap._skeleton import new_envelope
from dmpkit.soap.addressing import Addressing, addressing_headers, read_addressing
from dmpkit.soap.errors import EnvelopeError, MustUnderstandError, VersionMismatchError
from dmpkit.soap.faults import read_fault
from dmpkit.xmlparse import DEFAULT_LIMITS, XmlLimits, parse_xml

__all__ = [
    "DEFAULT_UNDERSTOOD",
    "ParsedEnvelope",
    "build_envelope",
    "parse_envelope",
    "read_envelope",
    "serialize",
]

# Header blocks dmpkit processes itself (WS-Addressing) or hands to the caller (wsse:Security,
# checked by the VIHF layer): a mustUnderstand on any other block is refused.
DEFAULT_UNDERSTOOD: Final = frozenset({
    n.WSA_ACTION, n.WSA_TO, n.WSA_MESSAGE_ID, n.WSA_REPLY_TO, n.WSA_FAULT_TO, n.WSA_FROM,
    n.WSA_RELATES_TO, n.WSSE_SECURITY,
})
# Header blocks targeted at these roles are for us (absent role = ultimate receiver).
_OUR_ROLES = frozenset({None, n.ROLE_NEXT, n.ROLE_ULTIMATE_RECEIVER})
_BOOLEAN = {"true": True, "1": True, "false": False, "0": False}


@dataclass(frozen=True, slots=True)
class ParsedEnvelope:
    """A received SOAP 1.2 envelope that passed every structural check.

    Attributes:
        envelope: the root ``soap:Envelope`` element.
        header_blocks: the children of ``soap:Header`` (empty if there is none).
        body_payload: the single child element of ``soap:Body``.
        addressing: the WS-Addressing properties, or ``None`` if the message has none.
        security: the ``wsse:Security`` header block, or ``None``.
    """

    envelope: etree._Element
    header_blocks: tuple[etree._Element, ...]
    body_payload: etree._Element
    addressing: Addressing | None
    security: etree._Element | None


def build_envelope(
    body: etree._Element,
    *,
    addressing: Addressing,
    security: Sequence[etree._Element] = (),
    security_must_understand: bool = True,
) -> etree._Element:
    """A SOAP 1.2 envelope carrying ``body``, WS-Addressing headers and a ``wsse:Security`` block.

    The payload and the security elements are copied, so the caller's trees are untouched.

    Args:
        body: the payload element (e.g. an ``AdhocQueryRequest``).
        addressing: the WS-Addressing properties; ``Action`` is sent with ``mustUnderstand``.
        security: elements placed in ``wsse:Security`` (e.g. the signed VIHF assertion);
            no Security header is written when empty.
        security_must_understand: mark ``wsse:Security`` ``mustUnderstand="true"``.

    Returns:
        The ``soap:Envelope`` element.
    """
    headers = addressing_headers(addressing)
    if security:
        block = etree.Element(n.WSSE_SECURITY, nsmap={"wsse": WSSE})
        if security_must_understand:
            block.set(n.MUST_UNDERSTAND, "true")
        for element in security:
            block.append(copy.deepcopy(element))
        headers.append(block)
    return new_envelope(copy.deepcopy(body), headers)


def serialize(envelope: etree._Element) -> bytes:
    """The envelope as UTF-8 bytes with an XML declaration."""
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def parse_envelope(
    data: bytes,
    *,
    understood: frozenset[str] = DEFAULT_UNDERSTOOD,
    require_addressing: bool = False,
    limits: XmlLimits = DEFAULT_LIMITS,
) -> ParsedEnvelope:
    """Parse and check a SOAP 1.2 message.

    Args:
        data: the envelope bytes (for MTOM, the already-extracted root part).
        understood: Clark names of the header blocks the caller processes.
        require_addressing: refuse a message without ``wsa:Action``.
        limits: the hardened parser's bounds.

    Returns:
        The checked envelope.

    Raises:
        XmlSecurityError: the bytes were refused by the hardened parser.
        VersionMismatchError: the root is not the SOAP 1.2 Envelope (SOAP 1.1, look-alike).
        EnvelopeError: any other structural problem.
        MustUnderstandError: a mustUnderstand header block is not in ``understood``.
        AddressingError: WS-Addressing headers missing, duplicated or invalid.
        SoapFaultError: the Body holds a ``soap:Fault``.
    """
    return read_envelope(
        parse_xml(data, limits=limits), understood=understood, require_addressing=require_addressing
    )


def read_envelope(
    root: etree._Element,
    *,
    understood: frozenset[str] = DEFAULT_UNDERSTOOD,
    require_addressing: bool = False,
    http_status: int | None = None,
) -> ParsedEnvelope:
    """Check an already parsed envelope; see :func:`parse_envelope`."""
    _check_root(root)
    # SOAP 1.2 Part 1 §5: a SOAP message contains no processing instruction, at any depth.
    if next(root.iter(etree.ProcessingInstruction), None) is not None:
        raise EnvelopeError("processing instructions are not allowed in a SOAP message")
    header, body = _header_and_body(root)
    blocks = tuple(_elements(header)) if header is not None else ()
    for block in blocks:
        if etree.QName(block).namespace is None:
            raise EnvelopeError(f"header block {block.tag!r} is not namespace-qualified")
    payload = _single_payload(body)
    if payload.tag == n.FAULT:
        raise read_fault(payload, http_status=http_status)
    not_understood = [
        str(block.tag) for block in blocks if _targets_us(block) and _must_understand(block)
        and block.tag not in understood
    ]
    if not_understood:
        raise MustUnderstandError(not_understood)
    securities = [block for block in blocks if block.tag == n.WSSE_SECURITY and _targets_us(block)]
    if len(securities) > 1:
        raise EnvelopeError("more than one wsse:Security header block targeted at this node")
    return ParsedEnvelope(
        envelope=root,
        header_blocks=blocks,
        body_payload=payload,
        addressing=read_addressing(blocks, require=require_addressing),
        security=securities[0] if securities else None,
    )


def _check_root(root: etree._Element) -> None:
    tag = str(root.tag)
    if tag == n.ENVELOPE:
        return
    qname = etree.QName(root)
    if qname.namespace == n.SOAP11:
        message = f"SOAP 1.1 envelope ({n.SOAP11}) refused: the DMP speaks SOAP 1.2 ({SOAP12})"
    elif qname.namespace and qname.namespace != SOAP12 and _looks_like_soap(qname.namespace):
        message = (
            f"look-alike envelope namespace {qname.namespace!r} refused: "
            f"SOAP 1.2 is exactly {SOAP12!r}"
        )
    else:
        message = f"root element {tag!r} is not a SOAP 1.2 Envelope ({n.ENVELOPE})"
    raise VersionMismatchError(message, received=tag)


def _looks_like_soap(namespace: str) -> bool:
    folded = namespace.strip().lower().rstrip("/")
    return "soap" in folded or folded.endswith("2003/05/soap-envelope")


def _elements(parent: etree._Element) -> list[etree._Element]:
    """Element children, skipping comments; refuses character data between them."""
    children: list[etree._Element] = []
    if (parent.text or "").strip():
        raise EnvelopeError(f"character data is not allowed directly in {parent.tag}")
    for child in parent:
        if isinstance(child.tag, str):
            children.append(child)
        if (child.tail or "").strip():
            raise EnvelopeError(f"character data is not allowed directly in {parent.tag}")
    return children


def _header_and_body(root: etree._Element) -> tuple[etree._Element | None, etree._Element]:
    children = _elements(root)
    for child in children:
        if child.tag not in (n.HEADER, n.BODY):
            raise EnvelopeError(
                f"unexpected element {child.tag!r} in Envelope: only soap:Header and soap:Body"
            )
    tags = [child.tag for child in children]
    if tags.count(n.BODY) != 1:
        raise EnvelopeError(f"an Envelope has exactly one soap:Body, found {tags.count(n.BODY)}")
    if tags.count(n.HEADER) > 1:
        raise EnvelopeError(
            f"an Envelope has at most one soap:Header, found {tags.count(n.HEADER)}"
        )
    if tags[-1] != n.BODY:
        raise EnvelopeError("soap:Body must be the last child of the Envelope")
    header = children[0] if tags[0] == n.HEADER else None
    return header, children[-1]


def _single_payload(body: etree._Element) -> etree._Element:
    payload = _elements(body)
    if len(payload) != 1:
        raise EnvelopeError(f"soap:Body must hold exactly one element, found {len(payload)}")
    return payload[0]


def _must_understand(block: etree._Element) -> bool:
    raw = block.get(n.MUST_UNDERSTAND)
    if raw is None:
        return False
    value = _BOOLEAN.get(raw.strip())
    if value is None:
        raise EnvelopeError(f"mustUnderstand={raw!r} on {block.tag} is not an xs:boolean")
    return value


def _targets_us(block: etree._Element) -> bool:
    role = block.get(n.ROLE)
    return (role.strip() if role is not None else None) in _OUR_ROLES
