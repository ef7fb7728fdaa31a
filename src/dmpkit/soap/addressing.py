"""WS-Addressing 1.0 message addressing properties: build the headers, read them back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from dmpkit import testmode
from dmpkit.soap import _names as n
from dmpkit.soap.errors import AddressingError

__all__ = [
    "ANONYMOUS",
    "MISSING_HEADER_REASON",
    "Addressing",
    "addressing_headers",
    "new_message_id",
    "read_addressing",
]

ANONYMOUS = n.WSA_ANONYMOUS
# The reason text of the WS-Addressing 1.0 SOAP binding fault, as the SI DMP returns it.
MISSING_HEADER_REASON = (
    "A required header representing a Message Addressing Property is not present"
)
INVALID_HEADER_REASON = (
    "A header representing a Message Addressing Property is not valid "
    "and the message cannot be processed"
)
# At most one of each (WS-Addressing 1.0 SOAP binding §6.4.1, InvalidCardinality).
_SINGLE = (n.WSA_ACTION, n.WSA_TO, n.WSA_MESSAGE_ID, n.WSA_REPLY_TO, n.WSA_FAULT_TO, n.WSA_FROM)


def new_message_id() -> str:
    """A fresh ``urn:uuid:`` message id (deterministic in test mode)."""
    return f"urn:uuid:{testmode.new_uuid()}"


@dataclass(frozen=True, slots=True)
class Addressing:
    """The WS-Addressing properties of one message.

    Attributes:
        action: ``wsa:Action``, the SOAP action URI of the transaction (sent with
            ``mustUnderstand="true"``).
        to: ``wsa:To``, the full endpoint URL (the anonymous URI when absent on receipt).
        message_id: ``wsa:MessageID`` (``urn:uuid:…``), ``None`` when absent on receipt.
        reply_to: ``wsa:ReplyTo/wsa:Address``, ``None`` when absent on receipt.
        relates_to: ``wsa:RelatesTo`` (reply relationship): the request's MessageID, in a response.
    """

    action: str
    to: str = ANONYMOUS
    message_id: str | None = field(default_factory=new_message_id)
    reply_to: str | None = ANONYMOUS
    relates_to: str | None = None


def addressing_headers(addressing: Addressing) -> list[etree._Element]:
    """The WS-Addressing header blocks for ``addressing``, in a conventional order."""
    headers = [_text_header(n.WSA_ACTION, addressing.action)]
    headers[0].set(n.MUST_UNDERSTAND, "true")
    if addressing.message_id is not None:
        headers.append(_text_header(n.WSA_MESSAGE_ID, addressing.message_id))
    if addressing.reply_to is not None:
        reply_to = etree.Element(n.WSA_REPLY_TO, nsmap=n.NSMAP)
        etree.SubElement(reply_to, n.WSA_ADDRESS).text = addressing.reply_to
        headers.append(reply_to)
    headers.append(_text_header(n.WSA_TO, addressing.to))
    if addressing.relates_to is not None:
        headers.append(_text_header(n.WSA_RELATES_TO, addressing.relates_to))
    return headers


def _text_header(tag: str, text: str) -> etree._Element:
    element = etree.Element(tag, nsmap=n.NSMAP)
    element.text = text
    return element


def read_addressing(
    header_blocks: Iterable[etree._Element], *, require: bool = False
) -> Addressing | None:
    """Read the WS-Addressing properties from a message's header blocks.

    Args:
        header_blocks: the children of ``soap:Header``.
        require: refuse a message without ``wsa:Action`` (WS-Addressing's one mandatory header).

    Returns:
        The properties, or ``None`` if the message has no WS-Addressing header and
        ``require`` is false.

    Raises:
        AddressingError: a missing required header, a duplicate, or an empty value.
    """
    found: dict[str, etree._Element] = {}
    replies: list[etree._Element] = []
    for block in header_blocks:
        tag = block.tag
        if tag in _SINGLE:
            if tag in found:
                raise AddressingError(
                    f"{INVALID_HEADER_REASON}: {etree.QName(tag).localname} appears twice",
                    header=tag,
                    subcode=n.WSA_INVALID_HEADER,
                )
            found[tag] = block
        elif tag == n.WSA_RELATES_TO and block.get(
            "RelationshipType", n.WSA_REPLY_RELATIONSHIP
        ) == n.WSA_REPLY_RELATIONSHIP:
            replies.append(block)
    if len(replies) > 1:
        raise AddressingError(
            f"{INVALID_HEADER_REASON}: more than one reply RelatesTo",
            header=n.WSA_RELATES_TO,
            subcode=n.WSA_INVALID_HEADER,
        )
    if not found and not replies:
        if require:
            raise _missing(n.WSA_ACTION)
        return None
    if n.WSA_ACTION not in found:
        # Any use of WS-Addressing makes Action mandatory.
        raise _missing(n.WSA_ACTION)
    reply_to = found.get(n.WSA_REPLY_TO)
    return Addressing(
        action=_uri(found[n.WSA_ACTION]),
        to=_uri(found[n.WSA_TO]) if n.WSA_TO in found else ANONYMOUS,
        message_id=_uri(found[n.WSA_MESSAGE_ID]) if n.WSA_MESSAGE_ID in found else None,
        reply_to=_reply_address(reply_to) if reply_to is not None else None,
        relates_to=_uri(replies[0]) if replies else None,
    )


def _missing(tag: str) -> AddressingError:
    return AddressingError(
        f"{MISSING_HEADER_REASON}: {etree.QName(tag).localname}",
        header=tag,
        subcode=n.WSA_HEADER_REQUIRED,
    )


def _uri(element: etree._Element) -> str:
    value = (element.text or "").strip()
    if not value or len(element):
        raise AddressingError(
            f"{INVALID_HEADER_REASON}: {etree.QName(element).localname} must hold one URI",
            header=str(element.tag),
            subcode=n.WSA_INVALID_HEADER,
        )
    return value


def _reply_address(reply_to: etree._Element) -> str:
    addresses = reply_to.findall(n.WSA_ADDRESS)
    if len(addresses) != 1:
        raise AddressingError(
            f"{INVALID_HEADER_REASON}: ReplyTo must hold exactly one Address",
            header=n.WSA_REPLY_TO,
            subcode=n.WSA_INVALID_HEADER,
        )
    return _uri(addresses[0])
