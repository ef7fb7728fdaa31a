"""Codes per set: the registry holds exactly the concepts of each source file.

Expected counts are those of the README-fr value-set table; the test also counts the
concepts of the source file itself (hardened XML parser / json), independently of codegen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from valuesets_sources import fhir_document, fhir_valueset_codes, svs_concepts

from dmpkit.valuesets import registry

# (short name, file under nos/, code count stated by README-fr)
SVS_SETS = [
    ("J07", "JDV_J07_XdsTypeCode_CISIS.xml", 114),
    ("J65", "JDV_J65-SubjectRole-DMP.xml", 395),
    ("J01", "JDV_J01_XdsAuthorSpecialty_CISIS.xml", 391),
    ("J02", "JDV_J02_XdsHealthcareFacilityTypeCode_CISIS.xml", 69),
    ("J08", "JDV_J08_XdsConfidentialityCode_CISIS.xml", 6),
    ("J47", "JDV_J47_FunctionCode_CISIS.xml", 10),
    ("J231", "JDV_J231_XdsTypesIdentifiantsReferenceId_DMP.xml", 3),
    ("TRE_A04", "TRE_A04-LoincTypeDocument.xml", 47),
]
FHIR_VALUE_SETS = [
    ("J66", "ValueSet-JDV-J66-TypeCode-DMP.json", 102),
    ("J57", "ValueSet-JDV-J57-ClassCode-DMP.json", 12),  # 11 + 1 URN
    ("J58", "ValueSet-JDV-J58-ConfidentialityCode-DMP.json", 6),
    ("J60", "ValueSet-JDV-J60-FormatCode-DMP.json", 61),
    ("J61", "ValueSet-JDV-J61-HealthcareFacilityTypeCode-DMP.json", 64),
    ("J56", "ValueSet-JDV-J56-AuthorSpecialty-DMP.json", 378),
    ("J10", "ValueSet-JDV-J10-XdsFormatCode-CISIS.json", 89),
]
FHIR_CODE_SYSTEMS = [
    ("TRE_A07", "TRE_A07_StatutVisibiliteDocument.json", 5),
    ("TRE_R38", "TRE_R38_SpecialiteOrdinale.json", 84),
]
# (short name, mappings stated by README-fr "Association tables")
MAPPINGS = [("ASS_X04", 124), ("ASS_X16", 103), ("ASS_A11", 62)]


@pytest.mark.parametrize(("short", "file", "stated"), SVS_SETS)
def test_svs_set_has_every_concept(nos_dir: Path, short: str, file: str, stated: int) -> None:
    in_file = svs_concepts(nos_dir / file)
    value_set = registry.get(short)
    assert len(in_file) == stated == len(value_set.concepts) == value_set.info.count
    assert [(c.get("code"), c.get("codeSystem")) for c in in_file] == [
        (c.code, c.code_system) for c in value_set.concepts
    ]


@pytest.mark.parametrize(("short", "file", "stated"), FHIR_VALUE_SETS)
def test_fhir_value_set_has_every_concept(nos_dir: Path, short: str, file: str,
                                          stated: int) -> None:
    in_file = fhir_valueset_codes(nos_dir / "fhir-json" / file)
    value_set = registry.get(short)
    assert len(in_file) == stated == len(value_set)
    assert [c["code"] for c in in_file] == [c.code for c in value_set.concepts]
    assert [c.get("display") for c in in_file] == [c.display for c in value_set.concepts]


@pytest.mark.parametrize(("short", "file", "stated"), FHIR_CODE_SYSTEMS)
def test_fhir_code_system_has_every_concept(nos_dir: Path, short: str, file: str,
                                            stated: int) -> None:
    document = fhir_document(nos_dir / "fhir-json" / file)
    value_set = registry.get(short)
    assert len(document["concept"]) == stated == len(value_set)
    # A CodeSystem's codes belong to the OID of its own identifier.
    assert {c.code_system for c in value_set.concepts} == {
        document["identifier"][0]["value"].removeprefix("urn:oid:")
    }


@pytest.mark.parametrize(("short", "stated"), MAPPINGS)
def test_association_table_has_every_pair(short: str, stated: int) -> None:
    table = registry.mapping(short)
    assert len(table.mappings) == stated == table.info.count


def test_version_and_date_are_those_stated(nos_dir: Path) -> None:
    j66 = registry.get("J66")
    document = fhir_document(nos_dir / "fhir-json" / "ValueSet-JDV-J66-TypeCode-DMP.json")
    assert j66.version == document["version"]
    assert j66.date is not None and j66.date.isoformat() == document["date"][:10]
    j07 = registry.get("J07")
    root_value_set = next(svs_concepts(nos_dir / "JDV_J07_XdsTypeCode_CISIS.xml")[0]
                          .iterancestors("{urn:ihe:iti:svs:2008}ValueSet"))
    assert j07.version == root_value_set.get("dateMaj")
    assert j07.date is not None and j07.date.isoformat() == root_value_set.get("revisionDate")[:10]


def test_every_nos_file_is_in_the_registry(nos_dir: Path) -> None:
    sources = {p.relative_to(nos_dir.parent).as_posix()
               for p in list(nos_dir.glob("*.xml")) + list(nos_dir.glob("fhir-json/*.json"))}
    assert {info.source for info in registry.list()} == sources


def test_retired_codes_carry_their_end_date(nos_dir: Path) -> None:
    in_file = svs_concepts(nos_dir / "TRE_A04-LoincTypeDocument.xml")
    ended = {c.get("code"): c.get("dateFin") for c in in_file if c.get("dateFin")}
    loinc = registry.get("TRE_A04")
    assert ended  # README-fr pitfalls: terminologies keep their retired codes
    for concept in loinc.concepts:
        stamp = ended.get(concept.code)
        expected = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}" if stamp else None
        assert (concept.end_date.isoformat() if concept.end_date else None) == expected


def test_commented_out_concepts_are_not_members(nos_dir: Path) -> None:
    # JDV_J65: the 4 TRE_G16 (1.2.250.1.71.1.2.8) lines are XML comments (REFERENCE §2.3).
    raw = (nos_dir / "JDV_J65-SubjectRole-DMP.xml").read_text(encoding="utf-8")
    assert raw.count('codeSystem="1.2.250.1.71.1.2.8"') == 4
    j65 = registry.get("J65")
    assert all(c.code_system != "1.2.250.1.71.1.2.8" for c in j65.concepts)
