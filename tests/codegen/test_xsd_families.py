"""``codegen.xsd``: the families file, deterministic stamped output, offline schema loading."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

import pytest

from codegen.xsd import (
    HEADER_MARK,
    FamilyConfigError,
    GenerationError,
    Run,
    generate_runs,
    load_families,
)

ISSUE_FAMILIES = {
    "rim", "rs", "lcm", "query", "xdsb", "rmd", "svs", "hl7v3", "cda", "saml", "xmldsig",
    "xenc", "wsse", "wsu", "wsa", "soap12", "xop",
}


def _run_named(name: str) -> Run:
    return next(run for run in load_families() if run.name == name)


def test_families_file_lists_every_issue_family_once() -> None:
    families = [family.name for run in load_families() for family in run.families]
    assert len(families) == len(set(families))
    assert set(families) >= ISSUE_FAMILIES


def test_ebrs_comes_from_one_copy_and_svs_and_cda_run_alone() -> None:
    ebxml = _run_named("ebxml")
    assert {"ihe-iti/schema/ebRS30/rim.xsd": "ihe-iti/schema/ebRS/rim.xsd"}.items() <= \
        ebxml.aliases.items()
    assert [f.name for f in _run_named("svs").families] == ["svs"]
    assert _run_named("cda").options["structure_style"] == "single-package"


def test_unknown_run_is_a_config_error(tmp_path: Path) -> None:
    broken = tmp_path / "families.toml"
    broken.write_text('[family.x]\nrun = "nope"\nentry_points = ["a.xsd"]\n', encoding="utf-8")
    with pytest.raises(FamilyConfigError, match="unknown run 'nope'"):
        load_families(broken)


def _xop_only() -> Run:
    ws = _run_named("ws")
    xop = next(f for f in ws.families if f.name == "xop")
    return replace(ws, name="xop-only", families=(xop,))


def test_generation_is_deterministic_and_stamped(tmp_path: Path, spec_store: Path) -> None:
    first = generate_runs([_xop_only()], spec_store, tmp_path / "one")
    second = generate_runs([_xop_only()], spec_store, tmp_path / "two")
    assert [p.relative_to(tmp_path / "one") for p in first] == \
        [p.relative_to(tmp_path / "two") for p in second]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]

    module = tmp_path / "one" / "xop" / "include.py"
    text = module.read_text(encoding="utf-8")
    assert HEADER_MARK in text.splitlines()[0]
    stamped = dict(re.findall(r"^    (\S+\.xsd) ([0-9a-f]{64})$", text, re.MULTILINE))
    source = spec_store / "xop" / "xop-include.xsd"
    assert stamped == {"xop/xop-include.xsd": hashlib.sha256(source.read_bytes()).hexdigest()}
    assert "class Include" in text


def test_non_catalogued_remote_import_is_refused(tmp_path: Path, spec_store: Path) -> None:
    store = tmp_path / "store"
    (store / "bad").mkdir(parents=True)
    (store / "catalog.xml").write_bytes((spec_store / "catalog.xml").read_bytes())
    (store / "bad" / "bad.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:bad">'
        '<xs:import namespace="urn:y" schemaLocation="http://example.invalid/y.xsd"/>'
        '<xs:element name="r" type="xs:string"/></xs:schema>',
        encoding="utf-8",
    )
    xop = _xop_only()
    bad = replace(xop, families=(replace(xop.families[0], entry_points=("bad/bad.xsd",),
                                         namespaces={"urn:bad": "xop.bad"}),))
    with pytest.raises(GenerationError, match=r"refused non-local schema location"):
        generate_runs([bad], store, tmp_path / "out")
