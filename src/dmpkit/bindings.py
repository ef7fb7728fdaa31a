"""Parse XML into the generated ``dmpkit_bindings`` classes and serialise them back.

Bytes always go through the hardened :func:`dmpkit.xmlparse.parse_xml` first; xsdata only
ever walks the resulting lxml tree, never raw input. The class of a root element is found
in a registry built lazily, one family at a time: importing this module loads no binding,
and the large HL7 v3 and CDA families load on first use.
"""

from __future__ import annotations

import dataclasses
import importlib
import threading
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from types import ModuleType
from typing import Any, TypeVar, cast

from lxml import etree

from dmpkit import namespaces as ns
from dmpkit.errors import DmpkitError
from dmpkit.xmlparse import DEFAULT_LIMITS, XmlLimits, parse_xml

__all__ = [
    "BindingError",
    "UnknownRootElementError",
    "class_for_root",
    "family_for_namespace",
    "parse",
    "parse_element",
    "serialize",
]

T = TypeVar("T")

BINDINGS_PACKAGE = "dmpkit_bindings"

# Namespace → families holding its global elements, in lookup order.
_FAMILIES_BY_NAMESPACE: dict[str, tuple[str, ...]] = {
    ns.SOAP12: ("soap12",),
    ns.WSA: ("wsa",),
    ns.XOP: ("xop",),
    ns.DS: ("xmldsig",),
    ns.XENC: ("xenc",),
    ns.WSU: ("wsu",),
    ns.WSSE: ("wsse",),
    ns.SAML2: ("saml",),
    ns.RIM: ("rim",),
    ns.RS: ("rs",),
    ns.LCM: ("lcm",),
    ns.QUERY: ("query",),
    ns.XDSB: ("xdsb",),
    ns.RMD: ("rmd",),
    ns.SVS: ("svs",),
    ns.HL7V3: ("hl7v3",),
    ns.DMP_HABILITATIONS: ("dmp",),
    ns.DMP_PATIENTS: ("dmp",),
}
# urn:hl7-org:v3 is shared by messaging and CDA; the CDA root names its family.
_FAMILY_BY_ROOT: dict[str, str] = {f"{{{ns.HL7V3}}}ClinicalDocument": "cda"}


class BindingError(DmpkitError):
    """XML could not be mapped to (or from) the generated classes."""


class UnknownRootElementError(BindingError):
    """No generated class declares the document's root element."""


def family_for_namespace(namespace: str) -> tuple[str, ...]:
    """The families whose packages hold the global elements of ``namespace``.

    Raises:
        UnknownRootElementError: dmpkit generates no bindings for the namespace.
    """
    try:
        return _FAMILIES_BY_NAMESPACE[namespace]
    except KeyError:
        raise UnknownRootElementError(
            f"no dmpkit bindings for namespace {namespace!r}"
        ) from None


_registry_lock = threading.Lock()
_element_classes: dict[str, dict[str, type[Any]]] = {}


def _load_family(family: str) -> ModuleType:
    try:
        return importlib.import_module(f"{BINDINGS_PACKAGE}.{family}")
    except ModuleNotFoundError as exc:
        raise UnknownRootElementError(
            f"bindings family {family!r} is not generated ({exc}); run `python -m codegen regen`"
        ) from None


def _family_elements(family: str) -> dict[str, type[Any]]:
    """Root element QName (Clark notation) → class, for one family, built once."""
    with _registry_lock:
        cached = _element_classes.get(family)
        if cached is not None:
            return cached
        module = _load_family(family)
        elements: dict[str, type[Any]] = {}
        for name in sorted(getattr(module, "__all__", dir(module))):
            candidate = getattr(module, name, None)
            if not isinstance(candidate, type) or not dataclasses.is_dataclass(candidate):
                continue
            meta = candidate.__dict__.get("Meta")
            # Global elements carry Meta.namespace; complex types only Meta.target_namespace.
            namespace = getattr(meta, "namespace", None) if meta is not None else None
            if namespace is None:
                continue
            local = meta.__dict__.get("name", candidate.__name__)
            elements.setdefault(f"{{{namespace}}}{local}", candidate)
        _element_classes[family] = elements
        return elements


def class_for_root(qname: str) -> type[Any]:
    """The generated class of a root element.

    Args:
        qname: the element name in Clark notation, ``{namespace}local``.

    Raises:
        UnknownRootElementError: no generated family declares that element.
    """
    namespace = etree.QName(qname).namespace or ""
    families = (_FAMILY_BY_ROOT[qname],) if qname in _FAMILY_BY_ROOT else (
        family_for_namespace(namespace)
    )
    for family in families:
        found = _family_elements(family).get(qname)
        if found is not None:
            return found
    raise UnknownRootElementError(
        f"no generated class for element {qname} (searched families {', '.join(families)})"
    )


@cache
def _context() -> Any:
    from xsdata.formats.dataclass.context import XmlContext

    return XmlContext()


_XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Schema-location hints are not content, but a faithful round trip keeps them where read.
_XSI_HINTS = (f"{{{_XSI}}}schemaLocation", f"{{{_XSI}}}noNamespaceSchemaLocation")
# Attributes set on parsed instances: an explicit xsi:type read, and the xsi hints read.
_XSI_TYPE_ATTRIBUTE = "_dmpkit_xsi_type"
_XSI_HINTS_ATTRIBUTE = "_dmpkit_xsi_hints"


@cache
def _faithful_classes() -> tuple[type[Any], type[Any]]:
    """A parser and serialiser that keep what xsdata alone would drop on a round trip.

    * an explicit ``xsi:type`` naming the declared type: xsdata writes ``xsi:type`` only
      when the instance's class differs from the field's type, so ``<time
      xsi:type="IVL_TS">`` (declared IVL_TS) would lose it, and ANS schematrons test it;
    * ``xsi:schemaLocation`` / ``xsi:noNamespaceSchemaLocation`` on any element (xsdata
      writes one on the root only, from its configuration).

    The parser records them on the instance; the serialiser writes them back.
    """
    from xsdata.formats.dataclass.parsers import XmlParser
    from xsdata.formats.dataclass.serializers import XmlSerializer

    class FaithfulParser(XmlParser):
        def end(self, queue: list[Any], objects: list[Any], qname: str,
                text: str | None, tail: str | None) -> Any:
            node = queue[-1] if queue else None
            xsi_type = getattr(node, "xsi_type", None)
            attrs = getattr(node, "attrs", None) or {}
            hints = {key: attrs[key] for key in _XSI_HINTS if key in attrs}
            result = super().end(queue, objects, qname, text, tail)
            if (xsi_type or hints) and objects:
                value = objects[-1][1]
                if dataclasses.is_dataclass(value) and hasattr(value, "__dict__"):
                    if xsi_type:
                        setattr(value, _XSI_TYPE_ATTRIBUTE, xsi_type)
                    if hints:
                        setattr(value, _XSI_HINTS_ATTRIBUTE, hints)
            return result

    class FaithfulSerializer(XmlSerializer):
        root_schema_location: str | None = None
        _root_written = False

        def xsi_type(self, var: Any, value: Any, namespace: str | None) -> str | None:
            computed: str | None = super().xsi_type(var, value, namespace)
            if computed is None and value is not None:
                kept = getattr(value, _XSI_TYPE_ATTRIBUTE, None)
                return kept if isinstance(kept, str) else None
            return computed

        # xsdata calls it through self; an instance method sees the per-render root flag.
        def next_attribute(  # type: ignore[override]
            self, obj: Any, meta: Any, nillable: bool, xsi_type: str | None,
            ignore_optionals: bool,
        ) -> Iterator[tuple[str, Any]]:
            yield from super().next_attribute(obj, meta, nillable, xsi_type, ignore_optionals)
            hints = dict(getattr(obj, _XSI_HINTS_ATTRIBUTE, None) or {})
            if not self._root_written:
                self._root_written = True
                if self.root_schema_location is not None:
                    hints[_XSI_HINTS[0]] = self.root_schema_location
            yield from hints.items()

    return FaithfulParser, FaithfulSerializer


def _parser() -> Any:
    from xsdata.formats.dataclass.parsers.config import ParserConfig
    from xsdata.formats.dataclass.parsers.handlers import LxmlEventHandler

    config = ParserConfig(fail_on_unknown_properties=True, fail_on_unknown_attributes=True,
                          fail_on_converter_warnings=True)
    parser_class = _faithful_classes()[0]
    return parser_class(config=config, context=_context(), handler=LxmlEventHandler)


# Appended to white-space-only text in mixed content so that xsdata keeps it (it drops
# text nodes made only of white space); removed again from the parsed objects.
_KEEP_MARK = "\ue000"
_MIXED_ELEMENTS = etree.XPath("descendant-or-self::*[* and text()[normalize-space()]]")


def _mark_mixed_whitespace(root: etree._Element) -> bool:
    """Mark white-space-only text next to elements inside mixed content; True if any.

    Mixed content is recognised by its non-white-space text: in CDA narrative,
    ``<content>twenties</content> <content>teens</content>`` keeps its separating space.
    """
    marked = False
    # XPath (in C) finds the few mixed-content elements; most messages have none.
    for element in cast(list[etree._Element], _MIXED_ELEMENTS(root)):
        if element.text and not element.text.strip():
            element.text += _KEEP_MARK
            marked = True
        for child in element:
            if child.tail and not child.tail.strip():
                child.tail += _KEEP_MARK
                marked = True
    return marked


def _unmark(value: Any) -> Any:
    """Remove the white-space marks from a parsed object graph, in place."""
    if isinstance(value, str):
        return value.replace(_KEEP_MARK, "") if _KEEP_MARK in value else value
    if isinstance(value, list):
        for index, item in enumerate(value):
            cleaned = _unmark(item)
            if cleaned is not item:
                value[index] = cleaned
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            current = getattr(value, item.name)
            if current is None or isinstance(current, int | float | bool):
                continue
            cleaned = _unmark(current)
            if cleaned is not current:
                setattr(value, item.name, cleaned)
    return value


def parse_element(element: etree._Element, cls: type[T] | None = None) -> T:
    """Map an already parsed (trusted) lxml element to its generated class.

    The element's subtree is consumed: xsdata clears each element once read.

    Args:
        element: an element from :func:`dmpkit.xmlparse.parse_xml`.
        cls: the target class; by default, the class registered for the element's name.

    Raises:
        UnknownRootElementError: ``cls`` is None and no class declares the element.
        BindingError: the content does not fit the class (unknown element or attribute,
            unconvertible value); the message names what was found.
    """
    from xsdata.exceptions import ConverterWarning, ParserError

    target = cls if cls is not None else class_for_root(str(element.tag))
    marked = _mark_mixed_whitespace(element)
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error", ConverterWarning)
            result = _parser().parse(element, target)
    except (ParserError, ConverterWarning, ValueError, TypeError) as exc:
        raise BindingError(f"<{etree.QName(element).localname}> does not fit "
                           f"{target.__name__}: {exc}") from None
    if marked:
        _unmark(result)
    return cast(T, result)


def parse(
    data: bytes, cls: type[T] | None = None, *, limits: XmlLimits = DEFAULT_LIMITS
) -> T:
    """Parse untrusted XML bytes into a generated binding instance.

    Args:
        data: the document, UTF-8.
        cls: the expected class; by default, found from the root element name.
        limits: bounds for the hardened parser.

    Raises:
        dmpkit.xmlparse.XmlSecurityError: the hardened parser refused the input.
        UnknownRootElementError: ``cls`` is None and the root element is not known.
        BindingError: the content does not fit the class.
    """
    return parse_element(parse_xml(data, limits=limits), cls)


def serialize(
    obj: object,
    *,
    ns_map: Mapping[str | None, str] | None = None,
    pretty: bool = False,
    xml_declaration: bool = True,
    schema_location: str | None = None,
) -> bytes:
    """Serialise a binding instance to UTF-8 XML.

    Args:
        obj: an instance of a generated class.
        ns_map: prefix → namespace to declare on the root (``None`` key: default namespace);
            pass the input's ``nsmap`` to keep its prefixes.
        pretty: indent the output (adds white space between elements).
        xml_declaration: start with ``<?xml version="1.0" encoding="UTF-8"?>``.
        schema_location: an ``xsi:schemaLocation`` to write on the root, replacing the
            one read by :func:`parse` (which keeps such hints where it found them).

    Raises:
        BindingError: ``obj`` is not a generated binding instance.
    """
    from xsdata.exceptions import SerializerError
    from xsdata.formats.dataclass.serializers.config import SerializerConfig

    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        raise BindingError(f"expected a generated binding instance, got {type(obj).__name__}")
    config = SerializerConfig(
        indent="  " if pretty else None,
        xml_declaration=xml_declaration,
        encoding="UTF-8",
    )
    serializer = _faithful_classes()[1](context=_context(), config=config)
    serializer.root_schema_location = schema_location
    try:
        text = serializer.render(obj, ns_map=dict(ns_map) if ns_map else None)
    except SerializerError as exc:
        raise BindingError(f"cannot serialise {type(obj).__name__}: {exc}") from None
    return cast(str, text).encode("utf-8")


def loaded_families() -> Iterable[str]:
    """The families whose registry has been built so far (for diagnostics and tests)."""
    return tuple(_element_classes)
