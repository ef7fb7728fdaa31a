"""Validate XML against the XSDs of the spec store, offline.

Schemas load from the local spec store only: the absolute URLs listed in the store's
``catalog.xml`` are served from their local copies, every other non-local URL is refused,
and schema files are read without network access or entity expansion. A compiled schema
is kept per (store, schema) for the life of the process.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import cast
from urllib.parse import unquote, urlparse

from lxml import etree

from dmpkit.errors import DmpkitError
from dmpkit.specstore import SpecStoreMissingError, spec_store_dir
from dmpkit.xmlparse import XmlSecurityError, parse_xml_file

__all__ = [
    "FAMILY_SCHEMAS",
    "SchemaLoadError",
    "XsdIssue",
    "schema_path_for",
    "validate",
]

_INTERACTION_ID = re.compile(r"[A-Z]{4}_IN\d{6}UV\d{2}")
_CATALOG_NS = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
_HL7V3_INTERACTIONS = (
    "dmp/schemas/hl7v3/{root}.xsd",
    "ihe-iti/schema/HL7V3/NE2008/multicacheschemas/{root}.xsd",
)

# Family (or short name) → store-relative XSD; "{root}" is the root element's local name.
FAMILY_SCHEMAS: dict[str, tuple[str, ...]] = {
    "soap12": ("soap12/soap-1.2.xsd",),
    "wsa": ("wsa/ws-addr.xsd",),
    "xop": ("xop/xop-include.xsd",),
    "xmldsig": ("xmldsig/xmldsig-core-schema.xsd",),
    "xenc": ("xenc/xenc-schema.xsd",),
    "wsu": ("wss/oasis-200401-wss-wssecurity-utility-1.0.xsd",),
    "wsse": ("wss/oasis-200401-wss-wssecurity-secext-1.0.xsd",),
    "saml": ("saml20/saml-schema-assertion-2.0.xsd",),
    "rim": ("ihe-iti/schema/ebRS/rim.xsd",),
    "rs": ("ihe-iti/schema/ebRS/rs.xsd",),
    "lcm": ("ihe-iti/schema/ebRS/lcm.xsd",),
    "query": ("ihe-iti/schema/ebRS/query.xsd",),
    "xdsb": ("ihe-iti/schema/IHE/XDS.b_DocumentRepository.xsd",),
    "rmd": ("ihe-iti/schema/IHE/RMD.xsd",),
    "svs": ("ihe-iti/schema/IHE/SVS.xsd",),
    "hl7v3": _HL7V3_INTERACTIONS,
    "cda": ("cda-ans/CDA_extended.xsd",),
    "cda-r2": ("cda-r2/schema/normative/infrastructure/cda/CDA.xsd",),
    "dmp-patients": ("dmp/schemas/dmp/si-dmp-patients.xsd",),
    "dmp-habilitations": ("dmp/schemas/dmp/si-dmp-habilitations.xsd",),
}


class SchemaLoadError(DmpkitError):
    """A schema could not be found, read or compiled offline (the message says which)."""


@dataclass(frozen=True, slots=True)
class XsdIssue:
    """One XSD validation error.

    Attributes:
        line: line number in the validated document (0 when unknown).
        path: XPath of the offending node, as libxml2 reports it.
        message: libxml2's description of the error.
    """

    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.path}: {self.message}"


_XS = "http://www.w3.org/2001/XMLSchema"
_SCHEMA_REFERENCES = (f"{{{_XS}}}include", f"{{{_XS}}}import", f"{{{_XS}}}redefine")


def _read_catalog(store: Path) -> dict[str, str]:
    catalog = store / "catalog.xml"
    if not catalog.is_file():
        return {}
    mapping: dict[str, str] = {}
    for entry in parse_xml_file(catalog).iter(f"{_CATALOG_NS}system", f"{_CATALOG_NS}uri"):
        key = entry.get("systemId") or entry.get("name")
        target = entry.get("uri")
        if key and target:
            mapping[key] = target
    return mapping


class _OfflineSchemaSet:
    """Copies a schema and everything it references into a private folder, offline.

    Every ``schemaLocation`` is rewritten to the local copy of its target: relative ones
    stay in the store, absolute URLs listed in ``catalog.xml`` map to their store file,
    any other non-local URL is refused. libxml2 then compiles from local files only.
    (dmpkit parses XML only with :func:`dmpkit.xmlparse.parse_xml`, so no custom lxml
    resolver can be attached to a parser: the rewrite does the resolver's job up front.)
    """

    def __init__(self, store: Path, workdir: Path) -> None:
        self._store = store
        self._workdir = workdir
        self._catalog = _read_catalog(store)
        self._copied: set[Path] = set()

    def _target(self, location: str, referrer: Path) -> Path:
        mapped = self._catalog.get(location)
        if mapped is not None:
            return Path(os.path.normpath(self._store / mapped))
        parsed = urlparse(location)
        if parsed.scheme.lower() == "file":
            return Path(os.path.normpath(unquote(parsed.path)))
        if parsed.scheme and len(parsed.scheme) > 1:
            raise SchemaLoadError(
                f"{referrer.name} imports {location!r}: not a local file and not in catalog.xml"
            )
        return Path(os.path.normpath(referrer.parent / location))

    def copy(self, source: Path) -> Path:
        """Copy ``source`` (a store file) and its references; return the copy's path."""
        relative = source.relative_to(self._store)
        destination = self._workdir / relative
        if source in self._copied:
            return destination
        self._copied.add(source)
        if not source.is_file():
            raise SchemaLoadError(f"schema {relative.as_posix()} is not in the spec store")
        root = parse_xml_file(source)
        for reference in list(root.iter(*_SCHEMA_REFERENCES)):
            if reference.get("namespace") == _XS:
                # libxml2 skips imports of the XML Schema namespace itself; the published
                # XMLSchema.xsd also carries a DTD, which dmpkit never parses.
                parent = reference.getparent()
                if parent is not None:
                    parent.remove(reference)
                continue
            location = reference.get("schemaLocation")
            if not location:
                continue
            target = self._target(location, source)
            if not target.is_relative_to(self._store):
                raise SchemaLoadError(f"{relative.as_posix()} references {location!r} "
                                      "outside the spec store")
            reference.set("schemaLocation", self.copy(target).as_uri())
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        return destination


@dataclass
class _Compiled:
    schema: etree.XMLSchema
    lock: threading.Lock


_compile_lock = threading.Lock()
# Private copies of compiled schema sets, removed at exit.
_workdirs: list[tempfile.TemporaryDirectory[str]] = []


@cache
def _compiled(store: Path, relative: str) -> _Compiled:
    path = Path(os.path.normpath(store / relative))
    if not path.is_file():
        raise SpecStoreMissingError(
            f"{relative} is not in the spec store {store}; run `python -m codegen fetch` "
            "(or set DMPKIT_SPECS)"
        )
    with _compile_lock:
        workdir = tempfile.TemporaryDirectory(prefix="dmpkit-xsd-")
        _workdirs.append(workdir)
        try:
            copy_path = _OfflineSchemaSet(store, Path(workdir.name)).copy(path)
            document = parse_xml_file(copy_path).getroottree()
            document.docinfo.URL = copy_path.as_uri()
            schema = etree.XMLSchema(document)
        except (etree.XMLSchemaParseError, XmlSecurityError, OSError) as exc:
            raise SchemaLoadError(f"cannot compile {relative}: {exc}") from None
    return _Compiled(schema, threading.Lock())


def schema_path_for(element: etree._Element, schema: str, store: Path | None = None) -> str:
    """The store-relative XSD to use for ``element``.

    Args:
        element: the element to validate (its name picks the HL7 v3 interaction schema).
        schema: a store-relative ``.xsd`` path, or a key of :data:`FAMILY_SCHEMAS`.
        store: the spec store (default: :func:`dmpkit.specstore.spec_store_dir`).

    Raises:
        SchemaLoadError: ``schema`` is neither an ``.xsd`` path nor a known family.
    """
    if schema.endswith(".xsd"):
        return schema
    candidates = FAMILY_SCHEMAS.get(schema)
    if candidates is None:
        raise SchemaLoadError(
            f"unknown schema {schema!r}: give a store-relative .xsd path or one of "
            f"{', '.join(sorted(FAMILY_SCHEMAS))}"
        )
    root_name = etree.QName(element).localname
    # QUQI_IN000003UV01_Cancel is declared in QUQI_IN000003UV01.xsd: keep the interaction id.
    interaction = _INTERACTION_ID.match(root_name)
    if interaction:
        root_name = interaction.group(0)
    base = store if store is not None else spec_store_dir()
    paths = [candidate.format(root=root_name) for candidate in candidates]
    for path in paths:
        if (base / path).is_file():
            return path
    return paths[-1]


def validate(
    element: etree._Element, schema: str, *, store: Path | None = None
) -> list[XsdIssue]:
    """Validate an element (as a document root) against a spec-store XSD.

    Args:
        element: a parsed element (from :func:`dmpkit.xmlparse.parse_xml`).
        schema: a store-relative ``.xsd`` path, or a family name (see
            :data:`FAMILY_SCHEMAS`; ``hl7v3`` picks the interaction schema named after the
            root element).
        store: the spec store (default: :func:`dmpkit.specstore.spec_store_dir`).

    Returns:
        The validation errors; empty when the element is valid.

    Raises:
        SchemaLoadError: the schema cannot be compiled offline.
        dmpkit.specstore.SpecStoreMissingError: the schema file is not in the store.
    """
    base = Path(os.path.normpath((store if store is not None else spec_store_dir()).absolute()))
    compiled = _compiled(base, schema_path_for(element, schema, base))
    # Validate the element as a document of its own, even when it sits in an envelope.
    target = element if element.getparent() is None else copy.deepcopy(element)
    with compiled.lock:
        valid = compiled.schema.validate(target)
        if valid:
            return []
        entries: Iterable[etree._LogEntry] = cast(
            "Iterable[etree._LogEntry]", compiled.schema.error_log
        )
        return [XsdIssue(line=entry.line, path=entry.path or "", message=entry.message)
                for entry in entries]
