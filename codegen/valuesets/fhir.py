"""FHIR R4 JSON files of the NOS: ValueSet, CodeSystem and ConceptMap resources."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from codegen.valuesets.errors import ValueSetSourceError
from codegen.valuesets.names import canonical_name, strip_oid_urn, url_key
from codegen.valuesets.records import (
    KIND_FHIR_CODESYSTEM,
    KIND_FHIR_CONCEPTMAP,
    KIND_FHIR_VALUESET,
    ConceptFact,
    ConceptMapFact,
    MappingFact,
    SetHeader,
    SourceFile,
    ValueSetFact,
)

# (canonical URL, where it is used) -> OID of the code system.
SystemResolver = Callable[[str, str], str]
_KINDS = {
    "ValueSet": KIND_FHIR_VALUESET,
    "CodeSystem": KIND_FHIR_CODESYSTEM,
    "ConceptMap": KIND_FHIR_CONCEPTMAP,
}
# The NOS J58/J61 builds state each concept's code-system OID as a designation "OID".
_DESIGNATION_OID = "OID"


def load_json(data: bytes, source: SourceFile) -> dict[str, Any]:
    """Decode one FHIR JSON resource (UTF-8, a BOM tolerated).

    Raises:
        ValueSetSourceError: not JSON, or not a ValueSet/CodeSystem/ConceptMap.
    """
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueSetSourceError(f"{source.path}: not valid JSON ({exc})") from None
    if not isinstance(document, dict) or document.get("resourceType") not in _KINDS:
        raise ValueSetSourceError(
            f"{source.path}: not a FHIR ValueSet, CodeSystem or ConceptMap resource"
        )
    return document


def stated_oid(document: dict[str, Any]) -> str | None:
    """The OID in ``identifier`` (a list, or a single object in the X16 build)."""
    identifiers = document.get("identifier") or []
    if isinstance(identifiers, dict):
        identifiers = [identifiers]
    for identifier in identifiers:
        value = identifier.get("value", "") if isinstance(identifier, dict) else ""
        if value.startswith("urn:oid:"):
            return strip_oid_urn(value)
    return None


def _header(document: dict[str, Any], source: SourceFile) -> SetHeader:
    oid = stated_oid(document)
    url = document.get("url", "")
    if not oid or not url:
        raise ValueSetSourceError(f"{source.path}: resource lacks url or an urn:oid identifier")
    date = document.get("date")
    return SetHeader(
        name=canonical_name(url_key(url)),
        oid=oid,
        version=document.get("version"),
        date=date[:10] if isinstance(date, str) and date else None,
        description=document.get("description") or "",
        kind=_KINDS[document["resourceType"]],
        source=source,
    )


def _designated_oid(concept: dict[str, Any]) -> str | None:
    for designation in concept.get("designation", []):
        if designation.get("use", {}).get("code") == _DESIGNATION_OID:
            return strip_oid_urn(str(designation.get("value", "")))
    return None


def _flatten(concepts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # CodeSystem concepts may nest; a value set lists every level.
    flat = []
    for concept in concepts:
        flat.append(concept)
        flat.extend(_flatten(concept.get("concept", [])))
    return flat


def _value_set(document: dict[str, Any], header: SetHeader,
               resolve: SystemResolver) -> ValueSetFact:
    where = header.source.path
    compose = document.get("compose") or {}
    if compose.get("exclude") or any("filter" in i or "valueSet" in i
                                     for i in compose.get("include", [])):
        raise ValueSetSourceError(f"{where}: only enumerated compose.include is supported")
    concepts = []
    for include in compose.get("include", []):
        system = resolve(include.get("system", ""), where)
        for concept in include.get("concept", []):
            designated = _designated_oid(concept)
            if designated is not None and designated != system:
                raise ValueSetSourceError(
                    f"{where}: code {concept.get('code')} designates system {designated} but its "
                    f"include.system resolves to {system}"
                )
            concepts.append(ConceptFact(str(concept["code"]), system, concept.get("display")))
    return ValueSetFact(header, tuple(concepts))


def _end_date(concept: dict[str, Any]) -> str | None:
    for prop in concept.get("property", []):
        if prop.get("code") == "dateFin" and isinstance(prop.get("valueDateTime"), str):
            return str(prop["valueDateTime"])[:10]
    return None


def _code_system(document: dict[str, Any], header: SetHeader) -> ValueSetFact:
    concepts = tuple(
        ConceptFact(str(c["code"]), header.oid, c.get("display"), _end_date(c))
        for c in _flatten(document.get("concept", []))
    )
    return ValueSetFact(header, concepts)


def _concept_map(document: dict[str, Any], header: SetHeader,
                 resolve: SystemResolver) -> ConceptMapFact:
    where = header.source.path
    pairs = []
    for group in document.get("group", []):
        source_system = resolve(group.get("source", ""), where)
        target_system = resolve(group.get("target", ""), where)
        for element in group.get("element", []):
            for target in element.get("target", []):
                pairs.append(MappingFact(str(element["code"]), source_system, str(target["code"]),
                                         target_system, target.get("equivalence")))
    source_uri, target_uri = document.get("sourceUri"), document.get("targetUri")
    return ConceptMapFact(
        header,
        canonical_name(url_key(source_uri)) if source_uri else None,
        canonical_name(url_key(target_uri)) if target_uri else None,
        tuple(pairs),
    )


def read_fhir(document: dict[str, Any], source: SourceFile,
              resolve: SystemResolver) -> ValueSetFact | ConceptMapFact:
    """Turn one decoded FHIR resource into facts, code systems named by OID.

    Raises:
        ValueSetSourceError: a construct the NOS files do not use (filters, excludes), a
            system URL without a known OID, or a concept whose designated OID disagrees.
    """
    header = _header(document, source)
    kind = document["resourceType"]
    if kind == "ValueSet":
        return _value_set(document, header, resolve)
    if kind == "CodeSystem":
        return _code_system(document, header)
    return _concept_map(document, header, resolve)
