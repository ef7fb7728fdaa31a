"""The NOS files of the spec store, read independently of codegen (hardened parser, json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dmpkit.xmlparse import parse_xml_file

SVS = "{urn:ihe:iti:svs:2008}"


def svs_concepts(path: Path) -> list[Any]:
    """The ``ConceptList/Concept`` elements of an SVS file, read with the hardened parser."""
    root = parse_xml_file(path)
    return list(root.iter(f"{SVS}Concept"))


def fhir_document(path: Path) -> dict[str, Any]:
    """A FHIR JSON resource of the store."""
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8-sig"))
    return document


def fhir_valueset_codes(path: Path) -> list[dict[str, Any]]:
    """The enumerated concepts of a FHIR ValueSet, include after include."""
    document = fhir_document(path)
    return [c for include in document["compose"]["include"] for c in include["concept"]]
