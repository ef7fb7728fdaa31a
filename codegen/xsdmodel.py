"""A flat, comparable view of XML Schema files: named types, their fields, their enumerations.

Read with codegen's hardened parser, independent of the xsdata generator, so ``diff`` can
report what an upstream schema change means before anything is regenerated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from codegen.errors import CodegenError
from codegen.xmlsafe import parse_file

XS = "http://www.w3.org/2001/XMLSchema"
TOP_LEVEL_KINDS = ("complexType", "simpleType", "element", "attribute", "group", "attributeGroup")
COMPOSITORS = frozenset({"sequence", "choice", "all", "complexContent", "simpleContent",
                         "complexType", "simpleType"})
FACETS = frozenset({"pattern", "length", "minLength", "maxLength", "minInclusive",
                    "maxInclusive", "minExclusive", "maxExclusive", "totalDigits",
                    "fractionDigits", "whiteSpace"})
ELEMENT_EXTRAS = ("nillable", "default", "fixed", "substitutionGroup", "abstract")
ATTRIBUTE_EXTRAS = ("default", "fixed")
ANONYMOUS = "(anonymous)"
SCHEMA_SUFFIXES = (".xsd", ".wsdl")


@dataclass(slots=True)
class TypeModel:
    """One top-level declaration of a schema file.

    Attributes:
        kind: ``complexType``, ``simpleType``, ``element``, ``attribute``, ``group`` or
            ``attributeGroup``.
        name: its name.
        properties: base, derivation, facets, type (for elements), abstract, mixed...
        fields: element/attribute/group/any declarations by path (``child``,
            ``@attr``, ``child/@attr`` inside anonymous types) with their properties.
        enumerations: enumeration values by field path (``""`` for the type itself).
    """

    kind: str
    name: str
    properties: dict[str, str] = field(default_factory=dict)
    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    enumerations: dict[str, list[str]] = field(default_factory=dict)


# (file, kind, name) -> declaration
SchemaModel = dict[tuple[str, str, str], TypeModel]


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith("{" + XS + "}"):
        return ""
    return tag[len(XS) + 2:]


def _has_inline_type(element: etree._Element) -> bool:
    return any(_local(child) in ("complexType", "simpleType") for child in element)


def _field_properties(element: etree._Element, kind: str) -> dict[str, str]:
    declared = element.get("type") or (ANONYMOUS if _has_inline_type(element) else "")
    extras: tuple[str, ...]
    if kind == "element":
        found = {"type": declared, "min": element.get("minOccurs", "1"),
                 "max": element.get("maxOccurs", "1")}
        extras = ELEMENT_EXTRAS
    else:
        found = {"type": declared, "use": element.get("use", "optional")}
        extras = ATTRIBUTE_EXTRAS
    if element.get("ref"):
        found["ref"] = element.get("ref", "")
    found.update({name: element.get(name, "") for name in extras if element.get(name)})
    return found


def _walk(node: etree._Element, prefix: str, properties: dict[str, str], model: TypeModel) -> None:
    for child in node:
        tag = _local(child)
        if not tag or tag == "annotation":
            continue
        prefix_key = prefix.rstrip("/")
        if tag in COMPOSITORS:
            if child.get("mixed") == "true":
                properties["mixed"] = "true"
            _walk(child, prefix, properties, model)
        elif tag in ("extension", "restriction"):
            properties["derivation"] = tag
            properties["base"] = child.get("base", ANONYMOUS)
            _walk(child, prefix, properties, model)
        elif tag == "enumeration":
            model.enumerations.setdefault(prefix_key, []).append(child.get("value", ""))
        elif tag in FACETS:
            properties[tag] = child.get("value", "")
        elif tag == "list":
            properties["list"] = child.get("itemType", ANONYMOUS)
            _walk(child, prefix, properties, model)
        elif tag == "union":
            properties["union"] = child.get("memberTypes", ANONYMOUS)
            _walk(child, prefix, properties, model)
        elif tag in ("element", "attribute"):
            name = child.get("name") or child.get("ref") or ""
            path = prefix + ("@" if tag == "attribute" else "") + name
            found = _field_properties(child, tag)
            model.fields[path] = found
            _walk(child, path + "/", found, model)
        elif tag in ("group", "attributeGroup"):
            path = f"{prefix}{tag}:{child.get('ref', '')}"
            model.fields[path] = {"min": child.get("minOccurs", "1"),
                                  "max": child.get("maxOccurs", "1")} if tag == "group" else {}
        elif tag in ("any", "anyAttribute"):
            model.fields[prefix + tag] = {
                "namespace": child.get("namespace", "##any"),
                "processContents": child.get("processContents", "strict"),
                **({"min": child.get("minOccurs", "1"), "max": child.get("maxOccurs", "1")}
                   if tag == "any" else {}),
            }


def describe_schema(schema: etree._Element, relative: str, model: SchemaModel) -> None:
    """Add the top-level declarations of one ``xs:schema`` element to ``model``."""
    for child in schema:
        kind = _local(child)
        name = child.get("name")
        if kind not in TOP_LEVEL_KINDS or not name:
            continue
        declaration = TypeModel(kind, name)
        if kind in ("element", "attribute"):
            declaration.properties.update(_field_properties(child, kind))
        for flag in ("abstract", "mixed", "final", "block"):
            if child.get(flag) and flag not in declaration.properties:
                declaration.properties[flag] = child.get(flag, "")
        _walk(child, "", declaration.properties, declaration)
        model[(relative, kind, name)] = declaration


def describe_file(path: Path, relative: str, model: SchemaModel) -> None:
    """Add every schema of one XSD (or WSDL, through its embedded schemas) to ``model``.

    Raises:
        CodegenError: the file is refused by the hardened parser.
    """
    root = parse_file(path)
    schemas = [root] if _local(root) == "schema" else list(root.iter(f"{{{XS}}}schema"))
    for schema in schemas:
        describe_schema(schema, relative, model)


@dataclass(slots=True)
class SchemaSet:
    """The model of a folder of schemas (or of one file), with the files it could not read."""

    model: SchemaModel = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def describe_paths(files: dict[str, Path]) -> SchemaSet:
    """Describe ``files`` (relative name → path), recording refused files as skipped."""
    described = SchemaSet(files=sorted(files))
    for relative, path in sorted(files.items()):
        try:
            describe_file(path, relative, described.model)
        except CodegenError as exc:
            described.skipped[relative] = str(exc).removeprefix(f"{path}: ")
    return described


def schema_files(folder: Path) -> dict[str, Path]:
    """Every ``.xsd``/``.wsdl`` under ``folder`` by POSIX relative path."""
    return {
        path.relative_to(folder).as_posix(): path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix.lower() in SCHEMA_SUFFIXES
    }
