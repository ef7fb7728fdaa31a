"""HL7 v3 message pieces of the patients service: transmission wrapper, acknowledgement, reading.

Shapes follow the HL7 v3 NE2008 wrappers (MCCI_MT000300UV01) used by the reconstructed DMP
interactions under ``specs/dmp/schemas/hl7v3``; the DMP specifics are values (REFERENCE §10.2).
"""

from __future__ import annotations

from lxml import etree

from dmpkit import testmode
from dmpkit.namespaces import HL7V3

__all__ = ["H", "acknowledgement_message", "reason_code", "text_at"]

_INTERACTION_ROOT = "2.16.840.1.113883.1.6"
_SERVER_DEVICE = "1.2.250.1.213.4.1.1.1"  # the SI DMP as sender [I]


def H(local: str) -> str:  # noqa: N802 - a tag helper reads best short
    """The Clark name of an HL7 v3 element."""
    return f"{{{HL7V3}}}{local}"


def text_at(payload: etree._Element, path: str, attribute: str | None = None) -> str | None:
    """The text (or an attribute) of the first element at an ``hl7:``-prefixed XPath."""
    found = payload.xpath(path, namespaces={"hl7": HL7V3})
    if not isinstance(found, list) or not found:
        return None
    node = found[0]
    if not isinstance(node, etree._Element):
        return str(node)
    return node.get(attribute) if attribute else (node.text or "").strip()


def reason_code(payload: etree._Element) -> str | None:
    """``controlActProcess/reasonCode/@code``: tells TDs sharing an interaction apart."""
    return text_at(payload, "hl7:controlActProcess/hl7:reasonCode", "code")


def _device(parent: etree._Element, tag: str, root: str) -> None:
    device = etree.SubElement(etree.SubElement(parent, H(tag), typeCode="RCV" if tag == "receiver"
                                               else "SND"), H("device"),
                              classCode="DEV", determinerCode="INSTANCE")
    etree.SubElement(device, H("id"), root=root)


def acknowledgement_message(interaction: str, request: etree._Element, *, error_code: str | None,
                            error_text: str = "") -> etree._Element:
    """The transmission wrapper of an answer, with its acknowledgement (AA, or AE + detail).

    Args:
        interaction: the answer's interaction id (``PRPA_IN201308UV02``).
        request: the request payload (its id is the acknowledged targetMessage).
        error_code: the acknowledgementDetail code of a refusal, None on success.
        error_text: the refusal's text.
    """
    message = etree.Element(H(interaction), nsmap={None: HL7V3}, ITSVersion="XML_1.0")  # type: ignore[dict-item]
    etree.SubElement(message, H("id"), root=str(testmode.new_uuid()).upper())
    etree.SubElement(message, H("creationTime"),
                     value=testmode.now().strftime("%Y%m%d%H%M%S"))
    etree.SubElement(message, H("interactionId"), root=_INTERACTION_ROOT, extension=interaction)
    etree.SubElement(message, H("processingCode"), code="P")
    etree.SubElement(message, H("processingModeCode"), code="T")
    etree.SubElement(message, H("acceptAckCode"), code="NE")
    sender = request.find(H("sender") + "/" + H("device") + "/" + H("id"))
    _device(message, "receiver", sender.get("root", "") if sender is not None else "")
    _device(message, "sender", _SERVER_DEVICE)
    ack = etree.SubElement(message, H("acknowledgement"))
    etree.SubElement(ack, H("typeCode"), code="AA" if error_code is None else "AE")
    target = etree.SubElement(ack, H("targetMessage"))
    request_id = request.find(H("id"))
    etree.SubElement(target, H("id"), _attributes(request_id))
    if error_code is not None:
        detail = etree.SubElement(ack, H("acknowledgementDetail"), typeCode="E")
        etree.SubElement(detail, H("code"), code=error_code,
                         codeSystem="1.2.250.1.213.1.1.4.11")
        etree.SubElement(detail, H("text")).text = error_text
    return message


def _attributes(element: etree._Element | None) -> dict[str, str]:
    if element is None:
        return {"nullFlavor": "UNK"}
    return {str(k): str(v) for k, v in element.attrib.items()}


def copy_attributes(element: etree._Element | None) -> dict[str, str]:
    """An element's attributes as a plain dict (``nullFlavor="UNK"`` when it is absent)."""
    return _attributes(element)


def move_attention_lines(message: etree._Element, lines: list[etree._Element]) -> None:
    """Place attentionLine elements where MCCI_MT000300UV01 wants them (before acknowledgement)."""
    ack = message.find(H("acknowledgement"))
    index = list(message).index(ack) if ack is not None else len(message)
    for offset, line in enumerate(lines):
        message.insert(index + offset, line)
