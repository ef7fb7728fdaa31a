"""Codegen's own hardened XML parsing (codegen never imports the dmpkit runtime).

Same stance as ``dmpkit.xmlparse``: no DTD, no entity expansion, no network, no huge trees.
Spec files are trusted more than messages, but a downloaded file is still input from afar.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from codegen.errors import CodegenError

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


class XmlRefusedError(CodegenError):
    """A spec file is not well-formed XML or uses a construct codegen refuses (DTD, entity)."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse_bytes(data: bytes, name: str = "<bytes>") -> etree._Element:
    """Parse XML bytes with the hardened settings.

    Args:
        data: the document.
        name: how to name the document in an error message.

    Raises:
        XmlRefusedError: DTD or entity declarations, or malformed XML.
    """
    if _DOCTYPE.search(data):
        raise XmlRefusedError(f"{name}: document type or entity declarations are refused")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise XmlRefusedError(f"{name}: not well-formed XML ({exc})") from None
    if root is None:
        raise XmlRefusedError(f"{name}: empty document")
    return root


def parse_file(path: Path) -> etree._Element:
    """Read and :func:`parse_bytes` one file."""
    return parse_bytes(path.read_bytes(), str(path))
