"""``dmpkit valuesets list/show/search``, text and --json, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from valuesets_sources import fhir_valueset_codes

from dmpkit.cli import main


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["valuesets", *args])
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_each_set_with_oid_version_date_and_count() -> None:
    code, out, _ = _run("list")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("JDV_J66-TypeCode-DMP "))
    assert row.split()[:5] == ["JDV_J66-TypeCode-DMP", "1.2.250.1.213.1.1.5.7", "1.1.0",
                               "2024-02-23", "102"]
    # Aligned columns: every row puts the OID at the same offset.
    offsets = {line.index("1.2.250") for line in out.splitlines() if " 1.2.250." in line}
    assert len(offsets) == 1


def test_list_json_is_stable_and_complete() -> None:
    code, out, _ = _run("list", "--json")
    assert code == 0
    document = json.loads(out)
    assert out.strip() == json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2)
    j58 = next(e for e in document if e["name"] == "JDV_J58-ConfidentialityCode-DMP")
    assert (j58["oid"], j58["count"], j58["date"]) == ("1.2.250.1.213.1.1.5.9", 6, "2020-04-24")


def test_show_prints_the_header_then_the_codes(nos_dir: Path) -> None:
    code, out, _ = _run("show", "1.2.250.1.213.1.1.5.9")
    assert code == 0
    for expected in ("JDV_J58-ConfidentialityCode-DMP", "1.2.250.1.213.1.1.5.9", "0.1.0",
                     "2020-04-24", "nos/fhir-json/ValueSet-JDV-J58-ConfidentialityCode-DMP.json"):
        assert expected in out
    stated = fhir_valueset_codes(nos_dir / "fhir-json" /
                                 "ValueSet-JDV-J58-ConfidentialityCode-DMP.json")
    for concept in stated:
        assert any(line.split()[:1] == [concept["code"]] and concept["display"] in line
                   for line in out.splitlines())


def test_show_json_lists_every_code(nos_dir: Path) -> None:
    code, out, _ = _run("show", "J66", "--json")
    assert code == 0
    document = json.loads(out)
    stated = fhir_valueset_codes(nos_dir / "fhir-json" / "ValueSet-JDV-J66-TypeCode-DMP.json")
    assert document["count"] == len(document["concepts"]) == len(stated) == 102
    assert [c["code"] for c in document["concepts"]] == [c["code"] for c in stated]


def test_show_an_association_table() -> None:
    code, out, _ = _run("show", "ASS_X16", "--json")
    assert code == 0
    pairs = {(m["source_code"], m["target_code"]) for m in json.loads(out)["mappings"]}
    assert ("11369-6", "52") in pairs  # first pair of the ConceptMap's LOINC group


def test_an_unknown_set_exits_1_with_suggestions() -> None:
    code, out, err = _run("show", "JDV_J66-TypeCod-DMP")
    assert code == 1
    assert out == ""
    assert "JDV_J66-TypeCode-DMP" in err
    assert "Traceback" not in err


def test_search_finds_accented_displays() -> None:
    code, out, _ = _run("search", "medecine generale", "--json")
    assert code == 0
    hits = json.loads(out)
    assert {"value_set": "JDV_J56-AuthorSpecialty-DMP", "oid": "1.2.250.1.213.1.1.5.1",
            "code": "G15_10/SM26", "code_system": "1.2.250.1.213.1.1.4.5",
            "display": "Médecin - Qualifié en Médecine Générale (SM)"} in hits
    code, out, _ = _run("search", "Imagerie médicale", "--limit", "3")
    assert code == 0
    assert "3 match(es)" in out


def test_search_without_hits_says_so() -> None:
    code, out, _ = _run("search", "zzzz-aucun-code")
    assert (code, out.strip()) == (0, "no code matches 'zzzz-aucun-code'")
