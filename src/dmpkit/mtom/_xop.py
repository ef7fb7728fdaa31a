"""XOP in an lxml tree: find ``xop:Include`` references, and move base64 content out and back.

ITI-41 carries documents in ``xdsb:Document`` (under ProvideAndRegisterDocumentSetRequest) and
ITI-43 in ``DocumentResponse/xdsb:Document``; both are ``xs:base64Binary`` and travel as XOP
references in MTOM messages.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from dmpkit import testmode
from dmpkit.mtom._errors import MtomReferenceError
from dmpkit.mtom._headers import cid_from_href, href_for_cid
from dmpkit.mtom._model import MtomPart
from dmpkit.namespaces import XDSB, XOP

__all__ = [
    "DOCUMENT_QNAME",
    "XOP_INCLUDE",
    "XopReference",
    "default_content_id",
    "externalize",
    "find_includes",
    "inline_includes",
]

XOP_INCLUDE = f"{{{XOP}}}Include"
DOCUMENT_QNAME = f"{{{XDSB}}}Document"


@dataclass(frozen=True, slots=True)
class XopReference:
    """One ``xop:Include`` found in a tree: the element and the Content-ID it names."""

    element: etree._Element
    content_id: str


def find_includes(root: etree._Element) -> list[XopReference]:
    """Every ``xop:Include`` under ``root`` with its decoded ``cid:`` target.

    Raises:
        MtomReferenceError: an Include has no ``href`` or an ``href`` that is not a ``cid:`` URL.
    """
    references = []
    for element in root.iter(XOP_INCLUDE):
        href = element.get("href")
        if href is None:
            raise MtomReferenceError(f"xop:Include at line {element.sourceline} has no href")
        content_id = cid_from_href(href)
        if content_id is None or not content_id:
            raise MtomReferenceError(f"xop:Include href {href[:80]!r} is not a cid: URL")
        references.append(XopReference(element, content_id))
    return references


def inline_includes(root: etree._Element, parts: Mapping[str, bytes | memoryview]) -> int:
    """Replace each ``xop:Include`` by the base64 text of the part it names, in place.

    Returns:
        How many references were inlined.

    Raises:
        MtomReferenceError: a reference names no part in ``parts``.
    """
    references = find_includes(root)
    for reference in references:
        data = parts.get(reference.content_id)
        if data is None:
            raise MtomReferenceError(
                f"xop:Include names cid {reference.content_id!r}: no such part"
            )
        parent = reference.element.getparent()
        if parent is None:
            raise MtomReferenceError("xop:Include cannot be the root element")
        tail = reference.element.tail
        parent.remove(reference.element)
        parent.text = base64.b64encode(data).decode("ascii") + (tail or "")
    return len(references)


def default_content_id(index: int) -> str:
    """A fresh Content-ID for the ``index``-th attachment (seeded in test mode)."""
    return f"{index}.{testmode.new_uuid()}@dmpkit"


def externalize(
    root: etree._Element,
    *,
    qnames: Iterable[str] = (DOCUMENT_QNAME,),
    content_type: str = "application/octet-stream",
    content_id: Callable[[int], str] = default_content_id,
) -> list[MtomPart]:
    """Move the base64 text of matching elements into MTOM parts, leaving ``xop:Include``.

    The tree is changed in place; the returned parts are in document order.

    Args:
        root: the tree (usually a SOAP envelope) to rewrite.
        qnames: Clark names of the ``xs:base64Binary`` elements to externalize.
        content_type: media type given to every part.
        content_id: maker of Content-IDs from a 1-based index.

    Raises:
        MtomReferenceError: a matching element holds child elements or invalid base64.
    """
    wanted = set(qnames)
    parts: list[MtomPart] = []
    for element in root.iter(*wanted):
        if len(element):
            if all(child.tag == XOP_INCLUDE for child in element):
                continue
            raise MtomReferenceError(f"{element.tag} has child elements: expected base64 text")
        text = "".join((element.text or "").split())
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise MtomReferenceError(
                f"{etree.QName(element).localname} at line {element.sourceline} is not valid base64"
            ) from None
        cid = content_id(len(parts) + 1)
        element.text = None
        include = etree.SubElement(element, XOP_INCLUDE, nsmap={"xop": XOP})
        include.set("href", href_for_cid(cid))
        parts.append(MtomPart(cid, content_type, data))
    return parts
