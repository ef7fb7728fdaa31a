"""fetch --dmp-package: an official DMP package (here a fake one, laid out differently from
specs/dmp/schemas/) replaces the project's reconstructed schemas in the store, is
remembered by the stamp, and is announced by regen and check."""

from __future__ import annotations

import re
import shutil
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from codegen import generators as generator_registry
from codegen import paths
from codegen.__main__ import main
from codegen.dmp_package import DEPENDENCY_DIR, DmpPackageError, plan_dmp_package
from codegen.errors import UsageError
from codegen.fetch import UpstreamDownloader, fetch
from codegen.manifest import Manifest, load_manifest
from codegen.provenance import source_stamp
from codegen.store import read_dmp_package, write_stamp
from dmpkit.xmlparse import parse_xml

if TYPE_CHECKING:
    from tests.codegen.conftest import MiniSpecs

RECONSTRUCTIONS = paths.SPECS_DIR / "dmp" / "schemas"
XS = "{http://www.w3.org/2001/XMLSchema}"
# The element the fake official files add, so a replaced file is told from a reconstruction.
OFFICIAL_MARK = b'<xs:element name="officialPackageOnly" type="xs:string"/>'
INTERACTIONS = "XSD/HL7v3/interactions"
PATIENTS = "dmp/si-dmp-patients.xsd"
HABILITATIONS = "dmp/si-dmp-habilitations.xsd"
GET_DEMOGRAPHICS = "hl7v3/PRPA_IN201307UV02.xsd"
CONTROL_ACT = "hl7v3/MFMI_MT700721UV01.xsd"
COMMON = "XSD/HL7v3/common/dmp-common.xsd"
NESTED = "XSD/HL7v3/common/nested/dmp-more.xsd"


def _officialise(data: bytes) -> bytes:
    return data.replace(b"</xs:schema>", OFFICIAL_MARK + b"\n</xs:schema>")


def _hl7_part(name: str, include: str | None) -> bytes:
    included = f'<xs:include schemaLocation="{include}"/>' if include else ""
    return (f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            f'targetNamespace="urn:hl7-org:v3">{included}'
            f'<xs:simpleType name="{name}"><xs:restriction base="xs:string"/></xs:simpleType>'
            f"</xs:schema>").encode()


def _official_package(root: Path) -> Path:
    """A fake package: the HL7 v3 interactions (no MFMI_MT700721UV01) in another folder,
    the patients schema under another name, no habilitations schema, one interaction with a
    package-local include chain, an unrelated XSD and non-XSD files."""
    package = root / "DMP-package-v2"
    interactions = package / INTERACTIONS
    interactions.mkdir(parents=True)
    for source in sorted((RECONSTRUCTIONS / "hl7v3").glob("PRPA_IN*.xsd")):
        (interactions / source.name).write_bytes(_officialise(source.read_bytes()))
    demographics = interactions / "PRPA_IN201307UV02.xsd"
    demographics.write_bytes(demographics.read_bytes().replace(
        b"<xs:annotation>", b'<xs:include schemaLocation="../common/dmp-common.xsd"/>'
        b"\n   <xs:annotation>", 1))
    (package / COMMON).parent.mkdir(parents=True)
    (package / COMMON).write_bytes(_hl7_part("DmpCommon", "nested/dmp-more.xsd"))
    (package / NESTED).parent.mkdir(parents=True)
    (package / NESTED).write_bytes(_hl7_part("DmpMore", None))
    (package / "XSD/DMP").mkdir(parents=True)
    (package / "XSD/DMP/patientsSpecific.xsd").write_bytes(
        _officialise((RECONSTRUCTIONS / PATIENTS).read_bytes()))
    (package / "XSD/other").mkdir()
    (package / "XSD/other/unrelated.xsd").write_bytes(
        b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x"/>')
    (package / "XSD/other/notes.xsd").write_bytes(b"<html><body>not a schema</body></html>")
    (package / "README.txt").write_text("Guide d'integration\n")
    (package / "WSDL").mkdir()
    (package / "WSDL/DMPPatients.wsdl").write_text("<definitions/>\n")
    return package


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def package(tmp_path: Path) -> Path:
    return _official_package(tmp_path)


def test_plan_replaces_by_file_name_and_by_namespace(package: Path) -> None:
    plan = plan_dmp_package(package, RECONSTRUCTIONS)
    matched = {r.reconstruction: (r.source, r.matched_by) for r in plan.replacements}
    interactions = sorted(p.name for p in (RECONSTRUCTIONS / "hl7v3").glob("PRPA_IN*.xsd"))
    assert len(interactions) == 8
    for name in interactions:
        assert matched[f"hl7v3/{name}"] == (f"{INTERACTIONS}/{name}", "file name")
    assert matched[PATIENTS] == ("XSD/DMP/patientsSpecific.xsd",
                                 "targetNamespace urn:si-dmp-patients")
    assert len(matched) == 9
    assert plan.kept == [HABILITATIONS, CONTROL_ACT]
    lines = plan.lines()
    assert f"warning: {CONTROL_ACT} has no counterpart in the package; the reconstruction is kept" \
        in lines
    assert any("notes.xsd" in line and "is not xs:schema" in line for line in lines)


def test_plan_copies_includes_inside_the_package_and_nothing_unrelated(package: Path) -> None:
    plan = plan_dmp_package(package, RECONSTRUCTIONS)
    assert plan.dependencies == [f"{DEPENDENCY_DIR}/{COMMON}", f"{DEPENDENCY_DIR}/{NESTED}"]
    assert not any("unrelated" in name or "notes" in name for name in plan.files)
    assert not any(name.endswith((".txt", ".wsdl")) for name in plan.files)
    # Replaced files are the official bytes; kept ones the reconstruction's.
    assert OFFICIAL_MARK in plan.files[PATIENTS]
    assert plan.files[HABILITATIONS] == (RECONSTRUCTIONS / HABILITATIONS).read_bytes()
    assert plan.files[CONTROL_ACT] == (RECONSTRUCTIONS / CONTROL_ACT).read_bytes()
    assert plan.rewritten == [
        f"{GET_DEMOGRAPHICS}: ../common/dmp-common.xsd -> ../{DEPENDENCY_DIR}/{COMMON}"]


def test_references_the_package_lacks_are_left_and_checked_against_the_store(
    package: Path, real_manifest: Manifest,
) -> None:
    patients = package / "XSD/DMP/patientsSpecific.xsd"
    patients.write_bytes(patients.read_bytes().replace(
        b"<xs:annotation>", b'<xs:include schemaLocation="../../../elsewhere.xsd"/>'
        b"<xs:annotation>", 1))
    (package.parent / "elsewhere.xsd").write_bytes(_hl7_part("Elsewhere", None))
    plan = plan_dmp_package(package, RECONSTRUCTIONS, store_files=real_manifest.files.keys())
    add = f"{INTERACTIONS}/PRPA_IN201311UV02.xsd"
    # The kept reconstruction and the pinned public HL7 types are in the store.
    assert f"{add}: MFMI_MT700721UV01.xsd" in plan.to_store
    assert (f"{add}: ../../../ihe-iti/schema/HL7V3/NE2008/multicacheschemas/PRPA_MT201301UV02"
            ".xsd") in plan.to_store
    assert plan.warnings == [
        "XSD/DMP/patientsSpecific.xsd: ../../../elsewhere.xsd is outside the package but not a "
        "file there nor in the store, left as is",
        "ignored: refused XSD/other/notes.xsd: root element html is not xs:schema",
    ]
    assert b'schemaLocation="../../../elsewhere.xsd"' in plan.files[PATIENTS]
    assert not any("elsewhere" in name for name in plan.files)


def test_without_the_store_list_public_references_are_reported(package: Path) -> None:
    plan = plan_dmp_package(package, RECONSTRUCTIONS)
    assert f"{INTERACTIONS}/PRPA_IN201311UV02.xsd: MFMI_MT700721UV01.xsd" in plan.to_store
    assert any("infrastructureRoot.xsd is in the package but not a file there nor in the store"
               in warning for warning in plan.warnings)


def test_fetch_installs_the_package_and_never_touches_it(mini: MiniSpecs, package: Path) -> None:
    before = _snapshot(package)
    report = fetch(mini.manifest, mini.store, local_source=mini.source,
                   project_schemas=RECONSTRUCTIONS, downloader=_no_download,
                   dmp_package=package)
    assert _snapshot(package) == before
    schemas = mini.store / mini.manifest.project_schemas
    assert report.dmp_package is not None
    assert set(report.dmp_package.files) == {
        p.relative_to(schemas).as_posix() for p in schemas.rglob("*") if p.is_file()}
    assert OFFICIAL_MARK in (schemas / GET_DEMOGRAPHICS).read_bytes()
    # Every package-local reference now resolves inside the store.
    for path in schemas.rglob("*.xsd"):
        root = parse_xml(path.read_bytes())
        for element in root.iter(f"{XS}include", f"{XS}import"):
            location = str(element.get("schemaLocation"))
            if not location.startswith("../../../"):
                assert (path.parent / location).is_file(), (path, location)
    recorded = read_dmp_package(mini.store)
    assert recorded is not None and recorded["path"] == str(package.resolve())
    assert recorded["kept"] == [HABILITATIONS, CONTROL_ACT]


def test_fetch_without_package_restores_the_reconstructions(
    mini: MiniSpecs, package: Path,
) -> None:
    fetch(mini.manifest, mini.store, local_source=mini.source, project_schemas=RECONSTRUCTIONS,
          downloader=_no_download, dmp_package=package)
    report = fetch(mini.manifest, mini.store, local_source=mini.source,
                   project_schemas=RECONSTRUCTIONS, downloader=_no_download)
    schemas = mini.store / mini.manifest.project_schemas
    assert report.project_removed == 2  # the two copied dependencies
    assert _snapshot_bytes(schemas) == _snapshot_bytes(RECONSTRUCTIONS)
    assert read_dmp_package(mini.store) is None


def _snapshot_bytes(folder: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in _snapshot(folder).items()}


def test_a_counterpart_that_is_not_an_xsd_is_refused_before_the_store_changes(
    mini: MiniSpecs, package: Path,
) -> None:
    fetch(mini.manifest, mini.store, local_source=mini.source, project_schemas=RECONSTRUCTIONS,
          downloader=_no_download)
    stamp_before = _snapshot(mini.store)
    (package / INTERACTIONS / "PRPA_IN201308UV02.xsd").write_bytes(
        b"<html><body>session expired</body></html>")
    with pytest.raises(DmpPackageError, match=r"PRPA_IN201308UV02\.xsd.*is not xs:schema"):
        fetch(mini.manifest, mini.store, local_source=mini.source,
              project_schemas=RECONSTRUCTIONS, downloader=_no_download, dmp_package=package)
    assert _snapshot(mini.store) == stamp_before


def test_a_counterpart_with_a_dtd_is_refused_by_the_hardened_parser(package: Path) -> None:
    (package / "XSD/DMP/patientsSpecific.xsd").write_bytes(
        b'<!DOCTYPE x [<!ENTITY e "boom">]><xs:schema '
        b'xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:si-dmp-patients"/>')
    # A DTD hides the namespace too: the file is skipped, so nothing replaces the schema.
    plan = plan_dmp_package(package, RECONSTRUCTIONS)
    assert PATIENTS in plan.kept
    assert any("patientsSpecific.xsd" in w and "entity declarations are refused" in w
               for w in plan.warnings)


def test_an_included_file_that_is_not_an_xsd_is_refused(package: Path) -> None:
    (package / NESTED).write_text("plain text\n")
    expected = re.escape("dmp-common.xsd includes nested/dmp-more.xsd")
    with pytest.raises(DmpPackageError, match=expected):
        plan_dmp_package(package, RECONSTRUCTIONS)


def test_two_files_of_one_name_are_ambiguous(package: Path) -> None:
    spare = package / "XSD/old" / "PRPA_IN201307UV02.xsd"
    spare.parent.mkdir()
    shutil.copyfile(package / INTERACTIONS / "PRPA_IN201307UV02.xsd", spare)
    with pytest.raises(DmpPackageError, match="several files of that name"):
        plan_dmp_package(package, RECONSTRUCTIONS)


def test_a_namespace_split_over_files_matches_its_root(package: Path) -> None:
    types_file = package / "XSD/DMP/habilitations-types.xsd"
    types_file.write_bytes(b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                           b'targetNamespace="urn:si-dmp-habilitations"/>')
    main_file = package / "XSD/DMP/habilitations.xsd"
    main_file.write_bytes(_officialise((RECONSTRUCTIONS / HABILITATIONS).read_bytes()).replace(
        b"<xs:annotation>", b'<xs:include schemaLocation="habilitations-types.xsd"/>'
        b"<xs:annotation>", 1))
    plan = plan_dmp_package(package, RECONSTRUCTIONS)
    matched = {r.reconstruction: r.source for r in plan.replacements}
    assert matched[HABILITATIONS] == "XSD/DMP/habilitations.xsd"
    assert f"{DEPENDENCY_DIR}/XSD/DMP/habilitations-types.xsd" in plan.dependencies
    assert b'schemaLocation="../package/XSD/DMP/habilitations-types.xsd"' in \
        plan.files[HABILITATIONS]


def test_a_missing_package_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such folder"):
        plan_dmp_package(tmp_path / "absent", RECONSTRUCTIONS)


def test_accepting_checksums_keeps_the_remembered_package(mini: MiniSpecs, package: Path) -> None:
    fetch(mini.manifest, mini.store, local_source=mini.source, project_schemas=RECONSTRUCTIONS,
          downloader=_no_download, dmp_package=package)
    write_stamp(mini.manifest, mini.store)  # what regen --accept does
    recorded = read_dmp_package(mini.store)
    assert recorded is not None and recorded["path"] == str(package.resolve())


def _no_download() -> UpstreamDownloader:
    raise AssertionError("no download expected")


def _fake_dmp_bindings(store: Path, out_root: Path) -> list[Path]:
    """Stands in for the XSD generator: a module stamped with a DMP schema's checksum."""
    target = out_root / "dmp" / "__init__.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source_stamp(store, [f"dmp/schemas/{PATIENTS}"]))
    return [target]


@pytest.fixture
def cli_project(mini: MiniSpecs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI on the mini manifest plus the project's schemas, with a fake generator."""
    shutil.copytree(RECONSTRUCTIONS, mini.specs_dir / "dmp" / "schemas")
    generated = tmp_path / "generated" / "dmpkit_bindings"
    monkeypatch.setattr(paths, "SPECS_DIR", mini.specs_dir)
    monkeypatch.setattr(paths, "GENERATED_ROOT", generated)
    fake = types.ModuleType("fake_dmp_generator")
    fake.generate = _fake_dmp_bindings  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_dmp_generator", fake)
    monkeypatch.setattr(generator_registry, "GENERATOR_ENTRY_POINTS", (
        ("fake_dmp_generator", "generate", "fake DMP bindings"),))
    assert load_manifest(mini.specs_dir).project_schemas == "dmp/schemas"
    return generated


def test_cli_remembers_the_package_until_none(
    mini: MiniSpecs, package: Path, cli_project: Path,
) -> None:
    runner = CliRunner()
    base = ["--specs", str(mini.store), "--from", str(mini.source), "--offline"]
    plain = runner.invoke(main, ["fetch", *base])
    assert plain.exit_code == 0, plain.output
    assert runner.invoke(main, ["regen", "--specs", str(mini.store)]).exit_code == 0
    assert runner.invoke(main, ["check", "--specs", str(mini.store)]).exit_code == 0

    chosen = runner.invoke(main, ["fetch", *base, "--dmp-package", str(package)])
    assert chosen.exit_code == 0, chosen.output
    assert (f"replaced {PATIENTS} <- XSD/DMP/patientsSpecific.xsd "
            "(by targetNamespace urn:si-dmp-patients)") in chosen.output
    assert f"warning: {HABILITATIONS} has no counterpart" in chosen.output
    assert "uses the official DMP package" in chosen.output

    drift = runner.invoke(main, ["check", "--specs", str(mini.store)])
    assert drift.exit_code == 1
    assert "changed: dmp/__init__.py" in drift.output
    assert "expected, the spec store uses the official DMP package" in drift.output
    assert "python -m codegen regen" in drift.output and "Traceback" not in drift.output

    again = runner.invoke(main, ["fetch", *base])
    assert again.exit_code == 0, again.output
    assert "keeping the official DMP package" in again.output
    assert OFFICIAL_MARK in (mini.store / "dmp/schemas" / PATIENTS).read_bytes()
    regen = runner.invoke(main, ["regen", "--specs", str(mini.store)])
    assert regen.exit_code == 0 and "uses the official DMP package" in regen.output
    clean = runner.invoke(main, ["check", "--specs", str(mini.store)])
    assert clean.exit_code == 0 and "up to date" in clean.output

    back = runner.invoke(main, ["fetch", *base, "--dmp-package", "none"])
    assert back.exit_code == 0, back.output
    assert "official DMP package" not in back.output
    assert (mini.store / "dmp/schemas" / PATIENTS).read_bytes() == \
        (RECONSTRUCTIONS / PATIENTS).read_bytes()


def test_cli_says_when_the_remembered_package_is_gone(
    mini: MiniSpecs, package: Path, cli_project: Path,
) -> None:
    runner = CliRunner()
    base = ["--specs", str(mini.store), "--from", str(mini.source), "--offline"]
    assert runner.invoke(main, ["fetch", *base, "--dmp-package", str(package)]).exit_code == 0
    shutil.rmtree(package)
    gone = runner.invoke(main, ["fetch", *base])
    assert gone.exit_code == 2
    assert "--dmp-package none" in gone.output and "Traceback" not in gone.output
