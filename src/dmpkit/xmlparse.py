"""The one hardened XML parser of dmpkit.

Every XML document that enters dmpkit — a SOAP envelope, a CDA document, a value set, a
schema instance in a test — goes through :func:`parse_xml`. It refuses what XML allows
but no DMP message needs: document type declarations (and so every entity, internal or
external), XInclude, network access, non-UTF-8 input, excessive size, depth and attribute
length. Each refusal is a typed :class:`XmlSecurityError` naming the limit or construct.
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from dmpkit.errors import DmpkitError

__all__ = [
    "DEFAULT_LIMITS",
    "XmlEncodingError",
    "XmlForbiddenConstructError",
    "XmlLimits",
    "XmlSecurityError",
    "XmlSyntaxError",
    "XmlTooDeepError",
    "XmlTooLargeError",
    "parse_xml",
    "parse_xml_file",
]

XINCLUDE_NAMESPACES = (
    "http://www.w3.org/2001/XInclude",
    "http://www.w3.org/2003/XInclude",
)
# libxml2 refuses deeper trees unless XML_PARSE_HUGE is set; we never set it.
LIBXML2_MAX_DEPTH = 256
LIBXML2_MAX_TEXT_BYTES = 10_000_000


class XmlSecurityError(DmpkitError):
    """The input was refused by the hardened parser."""


class XmlTooLargeError(XmlSecurityError):
    """The document, or one of its attributes, exceeds a configured size limit."""


class XmlTooDeepError(XmlSecurityError):
    """Elements are nested deeper than the configured limit."""


class XmlForbiddenConstructError(XmlSecurityError):
    """The document uses a construct dmpkit never accepts (DTD, entity, XInclude)."""


class XmlEncodingError(XmlSecurityError):
    """The document is not strict UTF-8."""


class XmlSyntaxError(XmlSecurityError):
    """The document is not well-formed XML."""


@dataclass(frozen=True, slots=True)
class XmlLimits:
    """Bounds applied to every parse.

    Attributes:
        max_bytes: largest accepted document, in bytes.
        max_depth: deepest accepted element nesting (at most 256, libxml2's own bound).
        max_attribute_chars: longest accepted attribute value, in characters.
        max_nodes: most markup items (start, end and empty-element tags, comments,
            processing instructions), counted as ``<`` characters before parsing. Each
            parsed element costs libxml2 a few hundred bytes, so this, not ``max_bytes``,
            bounds the memory of a document made of many tiny elements.
    """

    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = LIBXML2_MAX_DEPTH
    max_attribute_chars: int = 1024 * 1024
    max_nodes: int = 2_000_000

    def __post_init__(self) -> None:
        if not 1 <= self.max_depth <= LIBXML2_MAX_DEPTH:
            raise ValueError(f"max_depth must be between 1 and {LIBXML2_MAX_DEPTH}")
        if self.max_bytes < 1 or self.max_attribute_chars < 1 or self.max_nodes < 1:
            raise ValueError("limits must be positive")


DEFAULT_LIMITS = XmlLimits()

_thread_state = threading.local()

# The prolog may hold an XML declaration, processing instructions, comments and white
# space; anything else before the root element (a DOCTYPE) is refused before parsing.
_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_ENCODING_DECL = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_ACCEPTED_ENCODINGS = {"utf-8", "utf8", "us-ascii", "ascii"}
_UTF8_BOM = b"\xef\xbb\xbf"
# UTF-8 is checked in slices so the check itself never holds a decoded copy of a large input.
_UTF8_CHECK_CHUNK = 1024 * 1024


def _parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_thread_state, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_blank_text=False,
            remove_comments=False,
            remove_pis=False,
            strip_cdata=True,
        )
        _thread_state.parser = parser
    return parser


def _check_encoding(data: bytes) -> bytes:
    body = data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
    if body.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00")):
        raise XmlEncodingError("UTF-16 input is refused: dmpkit accepts UTF-8 only")
    declared = _ENCODING_DECL.match(body)
    name = declared.group(1).decode("ascii", errors="replace") if declared else "utf-8"
    if name.lower() not in _ACCEPTED_ENCODINGS:
        raise XmlEncodingError(f"declared encoding {name[:40]!r} is refused: UTF-8 only")
    # XML 1.0 never allows U+0000: a NUL byte means UTF-16/32 without a BOM, or binary data.
    nul = body.find(b"\x00")
    if nul >= 0:
        raise XmlEncodingError(
            f"NUL byte at offset {nul}: UTF-16/UTF-32 or binary input is refused, UTF-8 only"
        )
    if not body.isascii():
        _check_utf8(body)
    return body


def _check_utf8(body: bytes) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    view = memoryview(body)
    for start in range(0, len(body), _UTF8_CHECK_CHUNK):
        chunk = view[start : start + _UTF8_CHECK_CHUNK]
        # Bytes of a sequence split across two slices are held by the decoder.
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, final=start + _UTF8_CHECK_CHUNK >= len(body))
        except UnicodeDecodeError as exc:
            offset = start - pending + exc.start
            raise XmlEncodingError(f"invalid UTF-8 at byte {offset}") from None


def _check_prolog(body: bytes) -> None:
    position = 0
    while True:
        match = _PROLOG_ITEM.match(body, position)
        if match is None or match.end() == position:
            break
        position = match.end()
    if body.startswith(b"<!DOCTYPE", position) or body.startswith(b"<!doctype", position):
        raise XmlForbiddenConstructError("document type declarations (DTD) are refused")
    if body.startswith(b"<!ENTITY", position):
        raise XmlForbiddenConstructError("entity declarations are refused")


def _check_tree(root: etree._Element, limits: XmlLimits, size: int) -> None:
    tree = root.getroottree()
    docinfo = tree.docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.public_id:
        raise XmlForbiddenConstructError("document type declarations (DTD) are refused")
    # A tag-wildcard walk runs in C; the namespace:: axis was ~20x slower on large trees.
    xinclude_tags = tuple("{" + ns + "}*" for ns in XINCLUDE_NAMESPACES)
    if next(root.iter(*xinclude_tags), None) is not None:
        raise XmlForbiddenConstructError("XInclude elements are refused")
    if any(isinstance(node, etree._Entity) for node in root.iter(etree.Entity)):
        raise XmlForbiddenConstructError("entity references are refused")
    # An attribute has fewer characters than the document has bytes: small documents pass.
    too_long = size > limits.max_attribute_chars and root.xpath(
        "(//@*[string-length(.) > $n])[1]", n=limits.max_attribute_chars
    )
    if isinstance(too_long, list) and too_long:
        attribute = too_long[0]
        raise XmlTooLargeError(
            f"attribute {attribute.attrname!r} is longer than "
            f"{limits.max_attribute_chars} characters"
        )
    if limits.max_depth < LIBXML2_MAX_DEPTH:
        deep_path = "/*" * (limits.max_depth + 1)
        if root.xpath(f"boolean({deep_path})"):
            raise XmlTooDeepError(f"elements are nested deeper than {limits.max_depth}")


def parse_xml(data: bytes, *, limits: XmlLimits = DEFAULT_LIMITS) -> etree._Element:
    """Parse untrusted XML bytes into an lxml element, refusing anything hostile.

    Args:
        data: the raw document, UTF-8 encoded.
        limits: the bounds to enforce.

    Returns:
        The root element.

    Raises:
        XmlSecurityError: a subclass naming what was refused.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse_xml expects bytes; encode text as UTF-8 first")
    data = bytes(data)
    if len(data) > limits.max_bytes:
        raise XmlTooLargeError(f"document is {len(data)} bytes, limit is {limits.max_bytes}")
    body = _check_encoding(data)
    markup = body.count(b"<")
    if markup > limits.max_nodes:
        raise XmlTooLargeError(
            f"document holds {markup} markup items, limit is {limits.max_nodes} nodes"
        )
    _check_prolog(body)
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc)
        if "depth" in message.lower():
            raise XmlTooDeepError(
                f"elements are nested deeper than {limits.max_depth}"
            ) from None
        if "entity" in message.lower():
            raise XmlForbiddenConstructError(f"entity use refused: {message}") from None
        if "huge" in message.lower() or "too long" in message.lower():
            raise XmlTooLargeError(f"text node too large: {message}") from None
        raise XmlSyntaxError(message) from None
    if root is None:
        raise XmlSyntaxError("empty document")
    _check_tree(root, limits, len(body))
    return root


def parse_xml_file(path: str | Path, *, limits: XmlLimits = DEFAULT_LIMITS) -> etree._Element:
    """Read a file with the size limit checked before reading, then :func:`parse_xml` it."""
    file_path = Path(path)
    size = file_path.stat().st_size
    if size > limits.max_bytes:
        raise XmlTooLargeError(f"{file_path.name} is {size} bytes, limit is {limits.max_bytes}")
    # Read at most one byte past the limit: a file that grows after stat(), or a device or
    # pipe that reports size 0, cannot make the read unbounded.
    with file_path.open("rb") as stream:
        data = stream.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise XmlTooLargeError(f"{file_path.name} exceeds the limit of {limits.max_bytes} bytes")
    return parse_xml(data, limits=limits)
