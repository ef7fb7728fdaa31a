"""SOAP 1.2 faults: build one (local server), read one into a :class:`SoapFaultError` (client)."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence

from lxml import etree

from dmpkit.namespaces import SOAP12, XML
from dmpkit.soap import _names as n
from dmpkit.soap._skeleton import new_envelope
from dmpkit.soap.addressing import Addressing, addressing_headers
from dmpkit.soap.errors import EnvelopeError, FaultReason, SoapFaultError

__all__ = ["build_fault", "read_fault"]

_XML_LANG = f"{{{XML}}}lang"
# An XML NCName (a name without a colon), as Code and Subcode values must use.
_NCNAME = re.compile(r"[^\W\d][\w.\-]*")


def build_fault(
    code: str,
    reason: str,
    *,
    subcodes: Sequence[str] = (),
    detail: etree._Element | None = None,
    lang: str = "fr",
    node: str | None = None,
    role: str | None = None,
    addressing: Addressing | None = None,
    not_understood: Sequence[str] = (),
) -> etree._Element:
    """A SOAP 1.2 envelope whose Body holds one ``soap:Fault``.

    Args:
        code: one of ``"Sender"``, ``"Receiver"``, ``"MustUnderstand"``, ``"VersionMismatch"``,
            ``"DataEncodingUnknown"``.
        reason: the ``Reason/Text``; the DMP writes "<problème> : <détail>" in French.
        subcodes: nested ``Subcode/Value`` names, outermost first, each ``"{ns}local"`` or a
            bare ``"local"`` (no namespace, as in ``"DMPInvalidCertificate"``).
        detail: an element copied into ``Detail``.
        lang: the ``xml:lang`` of the reason.
        node: the ``Node`` URI.
        role: the ``Role`` URI.
        addressing: WS-Addressing headers for the fault message, if any.
        not_understood: for a ``MustUnderstand`` fault, the names (Clark notation) of the
            header blocks not understood, sent as ``soap:NotUnderstood`` header blocks.

    Raises:
        ValueError: an unknown code or an empty reason.
    """
    if code not in n.FAULT_CODES:
        raise ValueError(f"fault code must be one of {sorted(n.FAULT_CODES)}, not {code!r}")
    if not reason:
        raise ValueError("a SOAP fault needs a reason text")
    # Subcode namespaces are declared on the Fault itself: some stacks (zeep) only resolve a
    # QName in content against declarations above the element that holds it.
    subcode_namespaces = {
        f"sc{index}": namespace
        for index, subcode in enumerate(subcodes)
        if (namespace := etree.QName(subcode).namespace) is not None
    }
    fault = etree.Element(n.FAULT, nsmap={**n.NSMAP, **subcode_namespaces})
    level = etree.SubElement(fault, f"{{{SOAP12}}}Code")
    etree.SubElement(level, f"{{{SOAP12}}}Value").text = f"soap:{code}"
    for index, subcode in enumerate(subcodes):
        level = etree.SubElement(level, f"{{{SOAP12}}}Subcode")
        _qname_value(level, subcode, f"sc{index}")
    text = etree.SubElement(etree.SubElement(fault, f"{{{SOAP12}}}Reason"), f"{{{SOAP12}}}Text")
    text.set(_XML_LANG, lang)
    text.text = reason
    if node is not None:
        etree.SubElement(fault, f"{{{SOAP12}}}Node").text = node
    if role is not None:
        etree.SubElement(fault, f"{{{SOAP12}}}Role").text = role
    if detail is not None:
        etree.SubElement(fault, f"{{{SOAP12}}}Detail").append(copy.deepcopy(detail))
    headers = addressing_headers(addressing) if addressing is not None else []
    for name in not_understood:
        _set_not_understood(headers, name, f"nu{len(headers)}")
    return new_envelope(fault, headers)


def _qname_value(parent: etree._Element, name: str, prefix: str) -> None:
    qname = etree.QName(name)
    if qname.namespace is None:
        # No default namespace is in scope, so a bare name resolves to no namespace.
        etree.SubElement(parent, f"{{{SOAP12}}}Value").text = qname.localname
        return
    # The prefix is declared on the enclosing Fault (see build_fault).
    etree.SubElement(parent, f"{{{SOAP12}}}Value").text = f"{prefix}:{qname.localname}"


def _set_not_understood(headers: list[etree._Element], name: str, prefix: str) -> None:
    qname = etree.QName(name)
    nsmap = {"soap": SOAP12, **({prefix: qname.namespace} if qname.namespace else {})}
    block = etree.Element(n.NOT_UNDERSTOOD, nsmap=nsmap)
    block.set("qname", f"{prefix}:{qname.localname}" if qname.namespace else qname.localname)
    headers.append(block)


def read_fault(fault: etree._Element, *, http_status: int | None = None) -> SoapFaultError:
    """Turn a ``soap:Fault`` element into the exception that describes it.

    Raises:
        EnvelopeError: the fault lacks ``Code/Value`` or ``Reason/Text``.
    """
    code_element = fault.find(f"{{{SOAP12}}}Code")
    if code_element is None or code_element.find(f"{{{SOAP12}}}Value") is None:
        raise EnvelopeError("SOAP fault without Code/Value")
    code = _resolve_qname(code_element.find(f"{{{SOAP12}}}Value"))
    if code.startswith(f"{{{SOAP12}}}"):
        code = code[len(SOAP12) + 2 :]
    subcodes: list[str] = []
    level = code_element.find(f"{{{SOAP12}}}Subcode")
    while level is not None:
        subcodes.append(_resolve_qname(level.find(f"{{{SOAP12}}}Value")))
        level = level.find(f"{{{SOAP12}}}Subcode")
    texts = fault.findall(f"{{{SOAP12}}}Reason/{{{SOAP12}}}Text")
    if not texts:
        raise EnvelopeError("SOAP fault without Reason/Text")
    reasons = [FaultReason(text=t.text or "", lang=t.get(_XML_LANG, "")) for t in texts]
    detail = fault.find(f"{{{SOAP12}}}Detail")
    return SoapFaultError(
        code=code,
        subcodes=subcodes,
        reasons=reasons,
        node=fault.findtext(f"{{{SOAP12}}}Node"),
        role=fault.findtext(f"{{{SOAP12}}}Role"),
        detail=detail,
        http_status=http_status,
    )


def _resolve_qname(value: etree._Element | None) -> str:
    text = (value.text or "").strip() if value is not None else ""
    if value is None or not text:
        raise EnvelopeError("SOAP fault code or subcode without a Value")
    prefix, _, local = text.rpartition(":")
    if not _NCNAME.fullmatch(local) or (prefix and not _NCNAME.fullmatch(prefix)):
        raise EnvelopeError(f"SOAP fault value {text[:80]!r} is not a qualified name")
    namespace = value.nsmap.get(prefix or None)
    if prefix and namespace is None:
        raise EnvelopeError(f"SOAP fault value {text!r} uses an undeclared prefix")
    return f"{{{namespace}}}{local}" if namespace else local
