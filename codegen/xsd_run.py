"""One xsdata run, executed in a child process by :mod:`codegen.xsd`.

xsdata writes into the current directory, imports what it wrote and keeps global state;
a child process per run keeps the parent clean and every run independent. The child reads
a JSON job on stdin, compiles the entry points offline (absolute URLs served from the spec
store, anything else non-local refused) and prints the store-relative files it read.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from xsdata.codegen.models import Class
from xsdata.codegen.transformer import ResourceTransformer
from xsdata.models.config import (
    CompoundFields,
    DocstringStyle,
    GeneratorConfig,
    GeneratorSubstitution,
    NameCase,
    ObjectType,
    StructureStyle,
)
from xsdata.models.enums import COMMON_SCHEMA_DIR
from xsdata.models.xsd import Schema

from codegen.xmlsafe import parse_bytes


def _normal(path: Path) -> Path:
    # Lexical normalisation only: a store may be a tree of symlinks (an overlay).
    return Path(os.path.normpath(path.absolute()))


class OfflineTransformer(ResourceTransformer):
    """A transformer that reads only local files, mapping catalogued URLs to the store."""

    __slots__ = ("aliases", "catalog", "including_namespace", "loaded", "skip", "store")

    def __init__(
        self,
        config: GeneratorConfig,
        store: Path,
        catalog: dict[str, str],
        aliases: dict[str, str],
        skip: set[str],
    ) -> None:
        super().__init__(config=config)
        self.store = _normal(store)
        self.catalog = catalog
        self.aliases = aliases
        self.skip = skip
        self.loaded: list[str] = []
        self.including_namespace: str | None = None

    def _local_path(self, uri: str) -> Path:
        if uri in self.catalog:
            return self.store / self.catalog[uri]
        parsed = urlparse(uri)
        if parsed.scheme != "file":
            raise SystemExit(f"refused non-local schema location {uri!r} (not in catalog.xml)")
        return Path(unquote(parsed.path))

    def analyze_classes(self, classes: list[Class]) -> list[Class]:
        analyzed: list[Class] = super().analyze_classes(classes)
        for obj in analyzed:
            _make_round_trip_exact(obj)
        return analyzed

    def parse_schema(self, uri: str, namespace: str | None) -> Schema | None:
        self.including_namespace = namespace
        try:
            return super().parse_schema(uri, namespace)
        finally:
            self.including_namespace = None

    def load_resource(self, uri: str) -> bytes | None:
        path = _normal(self._local_path(uri))
        bundled = path.is_relative_to(_normal(COMMON_SCHEMA_DIR))
        if not bundled:
            if not path.is_relative_to(self.store):
                raise SystemExit(f"refused schema outside the spec store: {path}")
            relative = path.relative_to(self.store).as_posix()
            # Two copies of one schema (ebRS/ vs ebRS30/) must load once: redirect the alias.
            relative = self.aliases.get(relative, relative)
            if relative in self.skip:
                return None
            path = self.store / relative
        if not path.is_file():
            print(f"warning: schema not found {path}", file=sys.stderr)
            return None
        data = path.read_bytes()
        # A schema without targetNamespace (chameleon include) takes its includer's
        # namespace: load it once per namespace, not once per file, or its types go missing.
        own_namespace = _target_namespace(data)
        effective = own_namespace if own_namespace is not None else self.including_namespace
        key = f"{path.as_uri()}#{effective or ''}"
        if key in self.processed:
            return None
        self.processed.append(key)
        if not bundled:
            self.loaded.append(path.relative_to(self.store).as_posix())
        return data


def _target_namespace(data: bytes) -> str | None:
    return parse_bytes(data).get("targetNamespace")


XS = "{http://www.w3.org/2001/XMLSchema}"
# Python floats rewrite "1" as "1.0" and "1.950" as "1.95"; Decimal keeps the lexical form.
_FLOAT_TYPES = {f"{XS}double", f"{XS}float"}


def _make_round_trip_exact(obj: Class) -> None:
    """Adjust one class so that parse → serialise gives back what was read.

    Three xsdata defaults change a document on the way back, so they are undone here:

    * an absent attribute (or optional element) is filled with its schema default or
      fixed value and then written: ``<RegistryResponse>`` gains a ``status``, an HL7 v3
      message every fixed ``classCode``. Here it stays ``None`` (the default is noted in
      the field docstring);
    * an absent optional nillable element is written back as ``xsi:nil="true"``. Here
      ``None`` means absent;
    * ``xs:double``/``xs:float`` become Python floats (``value="1"`` → ``"1.0"``). Here
      they are ``Decimal``, which keeps the lexical form.
    """
    for attr in obj.attrs:
        for attr_type in attr.types:
            if attr_type.native and attr_type.qname in _FLOAT_TYPES:
                attr_type.qname = f"{XS}decimal"
        single_optional = attr.is_element and attr.is_optional and not attr.is_list
        if single_optional and attr.restrictions.nillable:
            attr.restrictions.nillable = False
        if attr.default is None and not attr.fixed:
            continue
        if attr.is_attribute or single_optional:
            note = f"Schema {'fixed' if attr.fixed else 'default'} value: {attr.default!r}."
            attr.help = f"{attr.help}\n{note}" if attr.help else note
            attr.default = None
            attr.fixed = False
            attr.restrictions.min_occurs = 0
    for inner in obj.inner:
        _make_round_trip_exact(inner)


def build_config(job: dict[str, Any]) -> GeneratorConfig:
    """The xsdata configuration of one run, from the job's options."""
    config = GeneratorConfig()
    output = config.output
    output.package = job["package"]
    output.structure_style = StructureStyle(job["structure_style"])
    output.docstring_style = DocstringStyle(job.get("docstring_style", "Blank"))
    output.compound_fields = CompoundFields(enabled=bool(job.get("compound_fields", False)))
    output.max_line_length = int(job.get("max_line_length", 100))
    output.relative_imports = bool(job.get("relative_imports", False))
    output.unnest_classes = bool(job.get("unnest_classes", False))
    output.format.slots = bool(job.get("slots", False))
    conventions = config.conventions
    conventions.class_name.case = NameCase(job.get("class_name_case", "originalCase"))
    for namespace, package in sorted(job["namespace_packages"].items()):
        # Substitution searches are regular expressions matched against the namespace.
        config.substitutions.substitution.append(
            GeneratorSubstitution(type=ObjectType.PACKAGE, search=re.escape(namespace),
                                  replace=package)
        )
    return config


def main() -> None:
    """Run one job read from stdin; print the loaded files as JSON on stdout."""
    job = json.loads(sys.stdin.read())
    store = Path(job["store"])
    config = build_config(job)
    Path(".xsdata.xml").write_text(_config_xml(config), encoding="utf-8")
    transformer = OfflineTransformer(config, store, job["catalog"], job["aliases"],
                                      set(job.get("skip", ())))
    uris = [_normal(store / entry).as_uri() for entry in job["entry_points"]]
    transformer.process(uris)
    print(json.dumps({"loaded": transformer.loaded}))


def _config_xml(config: GeneratorConfig) -> str:
    buffer = io.StringIO()
    GeneratorConfig.write(buffer, config)
    return buffer.getvalue()


if __name__ == "__main__":
    main()
