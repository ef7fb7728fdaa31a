"""The four value sets a VIHF is checked against.

J65 SubjectRole-DMP (role), J61 HealthcareFacilityTypeCode-DMP (Secteur_Activite), J38
ModeAcces (purposeofuse) and J64 RestrictionAudienceVIHF (confidentiality code). They come
from the project registry :data:`dmpkit.valuesets.registry`; when its generated bindings are
absent, the same public files are read from the spec store (SVS XML through the hardened
parser, FHIR JSON) so the VIHF never goes unchecked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dmpkit.namespaces import SVS
from dmpkit.specstore import spec_path
from dmpkit.vihf.claims import OID_MODE_ACCES
from dmpkit.xmlparse import parse_xml_file

__all__ = ["J38", "J61", "J64", "J65", "VihfValueSets", "vihf_value_sets"]

J65 = "JDV_J65-SubjectRole-DMP"
J61 = "JDV_J61-HealthcareFacilityTypeCode-DMP"
J38 = "JDV_J38-ModeAcces-CISIS"
J64 = "JDV_J64-RestrictionAudienceVIHF-DMP"

_J65 = "nos/JDV_J65-SubjectRole-DMP.xml"
_J61 = "nos/fhir-json/ValueSet-JDV-J61-HealthcareFacilityTypeCode-DMP.json"
_J38 = "nos/fhir-json/ValueSet-JDV-J38-ModeAcces-CISIS.json"
_J64 = "nos/fhir-json/ValueSet-JDV-J64-RestrictionAudienceVIHF-DMP.json"
_CODE_SYSTEMS = {
    # FHIR canonical URL -> OID, from each CodeSystem file's identifier
    "TRE_A07": "nos/fhir-json/TRE_A07_StatutVisibiliteDocument.json",
}

Pairs = frozenset[tuple[str, str]]


class VihfValueSets:
    """Membership in the VIHF value sets, by set name, code and code-system OID."""

    def contains(self, value_set: str, code: str, system: str) -> bool:
        """Whether ``value_set`` (J65, J61, J38 or J64) holds ``code`` of ``system``."""
        raise NotImplementedError


class _RegistryValueSets(VihfValueSets):
    def __init__(self, registry: Any) -> None:
        self._registry = registry

    def contains(self, value_set: str, code: str, system: str) -> bool:
        return bool(self._registry.contains(value_set, code, system))


@dataclass(frozen=True, slots=True)
class _FileValueSets(VihfValueSets):
    pairs: dict[str, Pairs]

    def contains(self, value_set: str, code: str, system: str) -> bool:
        return (code, system) in self.pairs[value_set]


def _svs_pairs(path: Path) -> Pairs:
    root = parse_xml_file(path)
    # iterating elements skips the concepts commented out in the published J65 (CPF codes)
    return frozenset(
        (concept.get("code", ""), concept.get("codeSystem", ""))
        for concept in root.iter(f"{{{SVS}}}Concept")
    )


def _json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _oid_of(identifiers: list[dict[str, str]] | None) -> str | None:
    for identifier in identifiers or []:
        value = identifier.get("value", "")
        if value.startswith("urn:oid:"):
            return value.removeprefix("urn:oid:")
    return None


def _fhir_pairs(path: Path, system_oids: dict[str, str], default_oid: str | None = None) -> Pairs:
    pairs = set()
    for include in _json(path)["compose"]["include"]:
        system_oid = system_oids.get(include["system"], default_oid)
        for concept in include.get("concept", []):
            designation_oid = next(
                (d["value"].removeprefix("urn:oid:") for d in concept.get("designation", [])
                 if d.get("use", {}).get("code") == "OID"),
                None,
            )
            oid = designation_oid or system_oid
            if oid is None:
                raise ValueError(f"{path.name}: no OID known for system {include['system']}")
            pairs.add((concept["code"], oid))
    return frozenset(pairs)


@lru_cache(maxsize=1)
def vihf_value_sets() -> VihfValueSets:
    """The VIHF value sets: the project registry, else the spec store files (loaded once).

    Raises:
        SpecStoreMissingError: no registry and the spec store lacks one of the files.
    """
    from dmpkit.valuesets import ValueSetsNotGeneratedError, registry

    try:
        for name in (J65, J61, J38, J64):
            registry.get(name)
    except ValueSetsNotGeneratedError:
        return _from_files()
    return _RegistryValueSets(registry)


def _from_files() -> VihfValueSets:
    system_oids = {}
    for relative in _CODE_SYSTEMS.values():
        code_system = _json(spec_path(relative))
        oid = _oid_of(code_system.get("identifier"))
        if oid:
            system_oids[code_system["url"]] = oid
    return _FileValueSets({
        J65: _svs_pairs(spec_path(_J65)),
        J61: _fhir_pairs(spec_path(_J61), system_oids),
        # the token carries the J38 OID as codeSystem (REFERENCE §2.3 note)
        J38: _fhir_pairs(spec_path(_J38), {}, OID_MODE_ACCES),
        J64: _fhir_pairs(spec_path(_J64), system_oids),
    })
