"""The four value sets a VIHF is checked against, read from the spec store.

J65 SubjectRole-DMP (role), J61 HealthcareFacilityTypeCode-DMP (Secteur_Activite), J38
ModeAcces (purposeofuse) and J64 RestrictionAudienceVIHF (confidentiality code). Each is a set
of ``(code, codeSystem OID)`` pairs. They are read from the public files of the spec store
(SVS XML through the hardened parser, FHIR JSON); the project-wide registry
``dmpkit.valuesets`` was not available when this module was written.
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

__all__ = ["VihfValueSets", "vihf_value_sets"]

_J65 = "nos/JDV_J65-SubjectRole-DMP.xml"
_J61 = "nos/fhir-json/ValueSet-JDV-J61-HealthcareFacilityTypeCode-DMP.json"
_J38 = "nos/fhir-json/ValueSet-JDV-J38-ModeAcces-CISIS.json"
_J64 = "nos/fhir-json/ValueSet-JDV-J64-RestrictionAudienceVIHF-DMP.json"
_CODE_SYSTEMS = {
    # FHIR canonical URL -> OID, from each CodeSystem file's identifier
    "TRE_A07": "nos/fhir-json/TRE_A07_StatutVisibiliteDocument.json",
}

Pairs = frozenset[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class VihfValueSets:
    """The codes allowed in a VIHF, as ``(code, OID)`` pairs."""

    subject_role: Pairs
    secteur_activite: Pairs
    mode_acces: Pairs
    restriction_audience: Pairs


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
    """Load (once) the VIHF value sets from the spec store.

    Raises:
        SpecStoreMissingError: the spec store lacks one of the files.
    """
    system_oids = {}
    for relative in _CODE_SYSTEMS.values():
        code_system = _json(spec_path(relative))
        oid = _oid_of(code_system.get("identifier"))
        if oid:
            system_oids[code_system["url"]] = oid
    return VihfValueSets(
        subject_role=_svs_pairs(spec_path(_J65)),
        secteur_activite=_fhir_pairs(spec_path(_J61), system_oids),
        # the token carries the J38 OID as codeSystem (REFERENCE §2.3 note)
        mode_acces=_fhir_pairs(spec_path(_J38), {}, OID_MODE_ACCES),
        restriction_audience=_fhir_pairs(spec_path(_J64), system_oids),
    )
