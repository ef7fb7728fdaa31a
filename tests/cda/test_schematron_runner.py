"""Compiling to XSLT, the disk cache, and running with Saxon (small schematrons + the header)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dmpkit.cda.schematron.errors import SchematronRunError
from dmpkit.cda.schematron.expand import SCH
from dmpkit.cda.schematron.runner import (
    CompiledSchematron,
    compile_schematron,
    run_schematron,
)

DOCUMENT = (b'<ClinicalDocument xmlns="urn:hl7-org:v3"><code code="B"/>'
            b'<title>t</title><title>u</title></ClinicalDocument>')


def _store(tmp_path: Path, codes: str = "A B") -> Path:
    store = tmp_path / "store"
    (store / "sch" / "vs").mkdir(parents=True)
    concepts = "".join(f'<Concept code="{c}"/>' for c in codes.split())
    (store / "sch" / "vs" / "codes.xml").write_text(f"<vs>{concepts}</vs>", encoding="utf-8")
    (store / "sch" / "abstract.sch").write_text(
        f'<pattern xmlns="{SCH}" id="inSet" abstract="true"><rule context="$elt">'
        '<assert test="document($set)//Concept[@code = current()/@code]">code <value-of '
        'select="@code"/> not in <value-of select="$set"/></assert></rule></pattern>',
        encoding="utf-8")
    (store / "sch" / "rules.sch").write_text(
        f'<rule xmlns="{SCH}" abstract="true" id="one-title">'
        '<assert role="warning" test="count(cda:title) = 1">one title expected</assert></rule>',
        encoding="utf-8")
    (store / "sch" / "main.sch").write_text(
        f'<schema xmlns="{SCH}" queryBinding="xslt2"><ns prefix="cda" uri="urn:hl7-org:v3"/>'
        '<include href="abstract.sch"/>'
        '<pattern id="vars"><let name="jdv" value="\'vs/codes.xml\'"/>'
        '<rule context="cda:ClinicalDocument"><include href="rules.sch"/>'
        '<extends rule="one-title"/>'
        '<report test="cda:code/@code = \'B\'">code B seen</report></rule>'
        '<rule context="cda:ClinicalDocument"><assert test="false()">never: first rule wins'
        '</assert></rule></pattern>'
        '<pattern id="code" is-a="inSet"><param name="elt" value="cda:code"/>'
        '<param name="set" value="$jdv"/></pattern></schema>', encoding="utf-8")
    return store


def test_compile_run_and_disk_cache(tmp_path: Path) -> None:
    store = _store(tmp_path, codes="A")
    cache = tmp_path / "cache"
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in store.rglob("*.*")}
    first = compile_schematron("sch/main.sch", store=store, cache_dir=cache)
    assert first.compiled_now and first.xslt_path == cache / f"{first.key}.xsl"
    hits = run_schematron(first, DOCUMENT)
    messages = sorted((h.kind, h.role, h.message) for h in hits)
    assert messages == [
        ("assert", "", "code B not in vs/codes.xml"),
        ("assert", "warning", "one title expected"),
        ("report", "", "code B seen"),
    ]
    code_hit = next(h for h in hits if h.pattern == "code")
    assert code_hit.location == "/cda:ClinicalDocument[1]/cda:code[1]"
    assert code_hit.source == "sch/abstract.sch"
    again = compile_schematron("sch/main.sch", store=store, cache_dir=cache)
    assert not again.compiled_now and again.key == first.key
    assert before == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in store.rglob("*.*")}


def test_changed_include_recompiles(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cache = tmp_path / "cache"
    compile_schematron("sch/main.sch", store=store, cache_dir=cache)
    rules = store / "sch" / "rules.sch"
    rules.write_text(rules.read_text(encoding="utf-8").replace("one title", "single title"),
                     encoding="utf-8")
    changed = compile_schematron("sch/main.sch", store=store, cache_dir=cache)
    assert changed.compiled_now
    hits = run_schematron(changed, DOCUMENT)
    assert "single title expected" in {h.message for h in hits}
    assert "code B seen" in {h.message for h in hits}


def test_missing_value_set_stops_the_run(tmp_path: Path) -> None:
    store = _store(tmp_path)
    compiled = compile_schematron("sch/main.sch", store=store, cache_dir=tmp_path / "cache")
    (store / "sch" / "vs" / "codes.xml").unlink()
    with pytest.raises(SchematronRunError, match=r"codes\.xml"):
        run_schematron(compiled, DOCUMENT)


def test_header_schematron_passes_an_ans_example(header_schematron: CompiledSchematron,
                                                 examples_dir: Path) -> None:
    document = (examples_dir / "DOC_NON_STRUCTURE_CDA-R2-N1.xml").read_bytes()
    errors = [h for h in run_schematron(header_schematron, document) if h.role != "warning"]
    assert errors == []


def test_pruned_walk_finds_what_the_full_walk_finds(spec_store: Path, examples_dir: Path,
                                                    header_schematron: CompiledSchematron,
                                                    tmp_path: Path) -> None:
    """The header's pruned walk (default) against an ISO-skeleton-like walk of every node."""
    text = (examples_dir / "LDL-SES_2022.01.xml").read_text("utf-8")
    broken = (text.replace('<realmCode code="FR"/>', "", 1)
              .replace("<patientRole>", "<patientRole><unknownElement/>", 1)
              .replace('administrativeGenderCode code="F"', 'administrativeGenderCode code="Q"', 1)
              .replace("<languageCode code=\"fr-FR\"/>", "<languageCode code=\"xx\"/>", 1))
    data = broken.encode("utf-8")
    full = compile_schematron(header_schematron.relative, store=spec_store,
                              cache_dir=tmp_path, prune=False)
    pruned_hits = {(h.location, h.message) for h in run_schematron(header_schematron, data)}
    full_hits = {(h.location, h.message) for h in run_schematron(full, data)}
    assert len(pruned_hits) >= 3
    assert pruned_hits == full_hits
