"""regen and check with fake generators: checksum verification and --accept, deterministic
regeneration into generated/, drift detection, and clear errors for missing generators."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from codegen import generators as generator_registry
from codegen import paths
from codegen.__main__ import main
from codegen.check import check_generated, compare_trees
from codegen.errors import ChecksumMismatchError, GeneratorMissingError, SpecFileMissingError
from codegen.fetch import UpstreamDownloader, fetch
from codegen.generators import ROOT_INIT, Generator, load_generators
from codegen.integrity import sha256_hex
from codegen.manifest import load_manifest
from codegen.provenance import source_stamp
from codegen.regen import regenerate, verify_or_accept
from codegen.store import is_complete, verify_store

if TYPE_CHECKING:
    from tests.codegen.conftest import MiniSpecs

SVS = "ihe-iti/schema/IHE/SVS.xsd"


def _fake_xsd(store: Path, out_root: Path) -> list[Path]:
    """Stands in for codegen.xsd: one module per schema, stamped with its source."""
    target = out_root / "svs" / "__init__.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source_stamp(store, [SVS]) + "NAMESPACE = 'urn:ihe:iti:svs:2008'\n")
    return [target]


def _fake_valuesets(store: Path, out_root: Path) -> list[Path]:
    target = out_root / "valuesets" / "__init__.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("CODES = ()\n")
    return [target]


FAKES = [Generator("fake.xsd", _fake_xsd), Generator("fake.valuesets", _fake_valuesets)]


def _no_download() -> UpstreamDownloader:
    raise AssertionError("no download expected")


@pytest.fixture
def filled(mini: MiniSpecs) -> MiniSpecs:
    fetch(mini.manifest, mini.store, local_source=mini.source, project_schemas=None,
          downloader=_no_download)
    return mini


def test_regenerate_is_deterministic_and_stamps_sources(filled: MiniSpecs, tmp_path: Path) -> None:
    out = tmp_path / "generated" / "dmpkit_bindings"
    first = regenerate(filled.store, out, FAKES)
    assert first.added == ["__init__.py", "svs/__init__.py", "valuesets/__init__.py"]
    snapshot = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    second = regenerate(filled.store, out, FAKES)
    assert not second
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == snapshot
    module = (out / "svs" / "__init__.py").read_text()
    pinned = filled.manifest.files[SVS].sha256
    assert f"# source: {SVS} sha256={pinned}" in module
    assert (out / "__init__.py").read_text() == ROOT_INIT


def test_regenerate_removes_modules_no_longer_generated(filled: MiniSpecs, tmp_path: Path) -> None:
    out = tmp_path / "bindings"
    regenerate(filled.store, out, FAKES)
    (out / "stale.py").write_text("x = 1\n")
    difference = regenerate(filled.store, out, FAKES)
    assert difference.removed == ["stale.py"]
    assert not (out / "stale.py").exists()


def test_check_reports_each_drifted_file(filled: MiniSpecs, tmp_path: Path) -> None:
    committed = tmp_path / "dmpkit_bindings"
    regenerate(filled.store, committed, FAKES)
    assert not check_generated(filled.store, committed, FAKES)
    (committed / "svs" / "__init__.py").write_text("edited by hand\n")
    (committed / "extra.py").write_text("")
    (committed / "valuesets" / "__init__.py").unlink()
    (committed / "__pycache__").mkdir()
    (committed / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"ignored")
    difference = check_generated(filled.store, committed, FAKES)
    assert difference.lines() == [
        "added: valuesets/__init__.py", "removed: extra.py", "changed: svs/__init__.py",
    ]


def test_compare_trees_of_identical_trees_is_empty(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "m.py").write_text("x")
    assert not compare_trees(tmp_path / "a", tmp_path / "a")


def test_verify_names_a_changed_store_file(filled: MiniSpecs) -> None:
    changed = (filled.store / SVS).read_bytes() + b"\n<!-- new upstream release -->\n"
    (filled.store / SVS).write_bytes(changed)
    with pytest.raises(ChecksumMismatchError) as caught:
        verify_or_accept(filled.manifest, filled.store, filled.specs_dir, accept=False)
    message = str(caught.value)
    assert SVS in message and filled.manifest.files[SVS].sha256 in message
    assert sha256_hex(changed) in message


def test_accept_repins_the_changed_file_only(filled: MiniSpecs) -> None:
    changed = (filled.store / SVS).read_bytes() + b"\n<!-- new upstream release -->\n"
    (filled.store / SVS).write_bytes(changed)
    accepted = verify_or_accept(filled.manifest, filled.store, filled.specs_dir, accept=True)
    assert [m.path for m in accepted] == [SVS]
    reloaded = load_manifest(filled.specs_dir)
    assert reloaded.files[SVS].sha256 == sha256_hex(changed)
    assert reloaded.files[SVS].size == len(changed)
    assert reloaded.files[SVS].upstream == filled.manifest.files[SVS].upstream
    others = {p: r for p, r in reloaded.files.items() if p != SVS}
    assert others == {p: r for p, r in filled.manifest.files.items() if p != SVS}
    assert verify_store(reloaded, filled.store) == []
    assert is_complete(reloaded, filled.store)


def test_verify_sends_to_fetch_when_files_are_absent(mini: MiniSpecs) -> None:
    with pytest.raises(SpecFileMissingError, match="run `python -m codegen fetch`"):
        verify_or_accept(mini.manifest, mini.store, mini.specs_dir, accept=True)


def test_missing_generator_module_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator_registry, "GENERATOR_ENTRY_POINTS",
                        (("codegen.not_written_yet", "generate", "the widgets"),))
    with pytest.raises(GeneratorMissingError,
                       match=r"codegen\.not_written_yet does not exist yet: cannot generate the "
                             r"widgets"):
        load_generators()


def test_generator_without_its_function_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fake_generator_module", types.ModuleType("fake"))
    monkeypatch.setattr(generator_registry, "GENERATOR_ENTRY_POINTS",
                        (("fake_generator_module", "generate", "the widgets"),))
    with pytest.raises(GeneratorMissingError, match=r"has no generate\(store, out_root\)"):
        load_generators()


@pytest.fixture
def cli_project(filled: MiniSpecs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI pointed at the mini manifest, a temporary generated/ and the fake generators."""
    generated = tmp_path / "generated" / "dmpkit_bindings"
    monkeypatch.setattr(paths, "SPECS_DIR", filled.specs_dir)
    monkeypatch.setattr(paths, "GENERATED_ROOT", generated)
    fake = types.ModuleType("fake_generators")
    fake.generate_all = _fake_xsd  # type: ignore[attr-defined]
    fake.generate = _fake_valuesets  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_generators", fake)
    monkeypatch.setattr(generator_registry, "GENERATOR_ENTRY_POINTS", (
        ("fake_generators", "generate_all", "fake schemas"),
        ("fake_generators", "generate", "fake value sets"),
    ))
    return generated


def test_cli_regen_then_check_then_drift(filled: MiniSpecs, cli_project: Path) -> None:
    runner = CliRunner()
    store = ["--specs", str(filled.store)]
    regen = runner.invoke(main, ["regen", *store])
    assert regen.exit_code == 0, regen.output
    assert (cli_project / "svs" / "__init__.py").is_file()
    clean = runner.invoke(main, ["check", *store])
    assert clean.exit_code == 0 and "up to date" in clean.output
    (cli_project / "svs" / "__init__.py").write_text("edited\n")
    drift = runner.invoke(main, ["check", *store])
    assert drift.exit_code == 1
    assert "changed: svs/__init__.py" in drift.output
    assert "Traceback" not in drift.output


def test_cli_regen_stops_on_mismatch_unless_accepted(filled: MiniSpecs, cli_project: Path) -> None:
    (filled.store / SVS).write_bytes((filled.store / SVS).read_bytes() + b"\n")
    runner = CliRunner()
    refused = runner.invoke(main, ["regen", "--specs", str(filled.store)])
    assert refused.exit_code == 1
    assert SVS in refused.output and "regen --accept" in refused.output
    assert not cli_project.exists()
    accepted = runner.invoke(main, ["regen", "--accept", "--specs", str(filled.store)])
    assert accepted.exit_code == 0, accepted.output
    assert f"accepted {SVS}" in accepted.output
    assert (cli_project / "svs" / "__init__.py").is_file()


def test_cli_check_without_generator_says_so(filled: MiniSpecs, cli_project: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator_registry, "GENERATOR_ENTRY_POINTS",
                        (("codegen.not_written_yet", "generate", "the widgets"),))
    result = CliRunner().invoke(main, ["check", "--specs", str(filled.store)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: codegen.not_written_yet does not exist yet: cannot generate the widgets")
