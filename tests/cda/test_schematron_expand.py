"""The schematron reader: includes, abstract patterns and rules, phases, store confinement."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dmpkit.cda.schematron.errors import (
    SchematronIncludeError,
    SchematronSecurityError,
)
from dmpkit.cda.schematron.expand import SCH, expand
from dmpkit.cda.schematron.table import SCHEMATRON_ROOT, load_table
from dmpkit.cda.schematron.xslt import to_xslt

Q = "{" + SCH + "}"


def test_header_includes_and_abstract_rules_are_resolved(spec_store: Path) -> None:
    main = spec_store / load_table().header
    before = hashlib.sha256(main.read_bytes()).hexdigest()
    expanded = expand(main, spec_store)
    assert not list(expanded.root.iter(Q + "include"))
    # DTr1_*.sch hold abstract datatype rules (AD, II, TS...), called through sch:extends.
    assert {"AD", "II", "TS", "ANY"} <= set(expanded.abstract_rules)
    extended = {e.get("rule") for e in expanded.root.iter(Q + "extends")}
    assert extended and extended <= set(expanded.abstract_rules)
    assert len(expanded.inputs) > 100
    assert hashlib.sha256(main.read_bytes()).hexdigest() == before


def test_abstract_pattern_parameters_are_substituted(spec_store: Path) -> None:
    main = spec_store / SCHEMATRON_ROOT / "CI-SIS_VSM_1.4_2022.01.sch"
    expanded = expand(main, spec_store)
    assert not [p for p in expanded.root.iter(Q + "pattern") if p.get("is-a")]
    contexts = [r.get("context", "") for r in expanded.root.iter(Q + "rule")]
    assert contexts and not [c for c in contexts if "$xpath_elt" in c]
    tests = " ".join(a.get("test", "") for a in expanded.root.iter(Q + "assert"))
    assert "$path_jdv)" not in tests


def test_default_phase_selects_active_patterns(spec_store: Path) -> None:
    main = spec_store / SCHEMATRON_ROOT / "CI-SIS_TLM-CR_2022.01.sch"
    expanded = expand(main, spec_store)
    assert expanded.phase == "CI-SIS_TLM-CR_2022.01"
    ids = {p.get("id") for p in expanded.root.iter(Q + "pattern")}
    assert ids == {"variables", "Entete_TLM-CR"}


def test_include_with_a_raw_space_in_its_name_resolves(spec_store: Path) -> None:
    main = spec_store / SCHEMATRON_ROOT / "profils" / "CI-SIS_ModelesDeContenusCDA.sch"
    sources = {name for name, _ in expand(main, spec_store).inputs}
    assert any(name.endswith("E_observationTNM _fr.sch") for name in sources)


def test_missing_include_is_reported_with_the_file(spec_store: Path) -> None:
    main = spec_store / SCHEMATRON_ROOT / "CI-SIS_BIO-CR-BIO_2023.01.sch"
    with pytest.raises(SchematronIncludeError) as caught:
        expand(main, spec_store)
    assert caught.value.missing.endswith("BIO-CR-BIO_2023.01/Entete/Entete_CR-BIO.sch")


@pytest.mark.parametrize(("schematron", "found"), [
    ("CI-SIS_CNAM-HR_2021.01.sch", "CNAM-HR_2021.01/sections/S_CommentaireNonCodee-CISIS.sch"),
    ("CI-SIS_CSE-CS8_2024.01.sch", "CSE-CS8_2024.01/JDV_rechAgHbS-CISIS.sch"),
])
def test_include_differing_in_case_resolves_with_a_note(spec_store: Path, schematron: str,
                                                        found: str) -> None:
    expanded = expand(spec_store / SCHEMATRON_ROOT / schematron, spec_store)
    assert any(found in note and "case differs" in note for note in expanded.notes)
    assert any(name.endswith(found) for name, _ in expanded.inputs)


def _schema(body: str) -> str:
    return (f'<schema xmlns="{SCH}" queryBinding="xslt2"><ns prefix="cda" uri="urn:hl7-org:v3"/>'
            f"{body}</schema>")


def test_include_outside_the_store_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (tmp_path / "outside.sch").write_text(f'<pattern xmlns="{SCH}"/>', encoding="utf-8")
    main = store / "main.sch"
    main.write_text(_schema('<include href="../outside.sch"/>'), encoding="utf-8")
    with pytest.raises(SchematronSecurityError):
        expand(main, store)


@pytest.mark.parametrize("test", [
    "doc('/etc/passwd')", "doc('http://example.org/x.xml')", "doc('../../outside.xml')",
    "unparsed-text('a.txt')", "doc(concat('a', '.xml'))", "document(@href)",
    "saxon:eval('1')", "Q{http://expath.org/ns/file}read-text('/etc/passwd')",
    "Q{http://www.w3.org/2005/xpath-functions}doc('/etc/passwd')",
])
def test_resource_reads_outside_the_store_are_refused(tmp_path: Path, test: str) -> None:
    store = tmp_path / "store"
    store.mkdir()
    main = store / "main.sch"
    main.write_text(_schema(
        f'<pattern id="p"><rule context="cda:x"><assert test="{test}">m</assert></rule></pattern>'
    ), encoding="utf-8")
    with pytest.raises(SchematronSecurityError):
        to_xslt(expand(main, store), store)


def test_value_set_read_inside_the_store_is_allowed(tmp_path: Path) -> None:
    store = tmp_path / "store"
    (store / "vs").mkdir(parents=True)
    main = store / "main.sch"
    main.write_text(_schema(
        '<pattern id="p"><let name="jdv" value="\'vs/a.xml\'"/><rule context="cda:x">'
        '<assert test="document($jdv)//code">m</assert></rule></pattern>'), encoding="utf-8")
    text = to_xslt(expand(main, store), store)
    assert 'xml:base="' + main.resolve().as_uri() + '"' in text


def test_value_set_path_differing_in_case_is_corrected_in_the_xslt(spec_store: Path) -> None:
    main = spec_store / SCHEMATRON_ROOT / "CI-SIS_CSE-CS8_2022.01.sch"
    expanded = expand(main, spec_store)
    text = to_xslt(expanded, spec_store)
    assert "select=\"'../jeuxDeValeurs/JDV_HL7_condition_ver_status_CISIS.xml'\"" in text
    assert "select=\"'../jeuxDeValeurs/JDV_HL7_Condition_ver_status" not in text
    assert any("JDV_HL7_Condition_ver_status_CISIS.xml" in n and "case differs" in n
               for n in expanded.notes)
