"""The manifest: built from the public folder's MANIFEST*.json, written as sorted TOML,
read back identically, and the committed one reproducible from ../shared/specs."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from codegen import tomlwrite
from codegen.errors import ManifestError, UsageError
from codegen.integrity import sha256_hex
from codegen.manifest import (
    FILES_NAME,
    MANIFEST_NAME,
    Manifest,
    build_manifest,
    load_manifest,
    write_manifest,
)
from codegen.paths import DEFAULT_LOCAL_SOURCE, SPECS_DIR

if TYPE_CHECKING:
    from tests.codegen.conftest import MiniSpecs



def test_toml_strings_round_trip_through_tomllib() -> None:
    tricky = 'quote " backslash \\ tab \t newline \n à-sable \x01 end'
    line = tomlwrite.assignment("key with space", tricky)
    assert tomllib.loads(line) == {"key with space": tricky}
    table = tomlwrite.assignment("t", {"a": 1, "b": True, "c": "x"})
    assert tomllib.loads(table) == {"t": {"a": 1, "b": True, "c": "x"}}


def test_committed_manifest_covers_the_public_spec_set(real_manifest: Manifest) -> None:
    records = real_manifest.files
    # 148 files in MANIFEST.json (catalog.xml excepted) + 3868 in MANIFEST-fr.json.
    assert len(records) == 147 + 3868
    assert "catalog.xml" not in records
    assert real_manifest.catalog["http://www.w3.org/2001/xml.xsd"] == "xml/xml.xsd"
    rmd = records["ihe-iti/schema/IHE/RMD.xsd"].upstream
    assert (rmd.repo, rmd.path) == ("IHE/ITI-Info", "packages/RMD.SupportMaterials.zip")
    assert rmd.member is not None and rmd.member.endswith("/schema/IHE/RMD.xsd")
    transcribed = [r for r in records.values() if r.transcribed]
    assert len(transcribed) == 18
    assert all(r.content_sha256 for r in transcribed)
    assert real_manifest.namespaces["urn:ihe:iti:svs:2008"] == ["ihe-iti/schema/IHE/SVS.xsd"]


def test_committed_manifest_is_reproducible_from_the_shared_folder(tmp_path: Path) -> None:
    if not (DEFAULT_LOCAL_SOURCE / "MANIFEST.json").is_file():
        pytest.skip("../shared/specs is not beside the checkout")
    write_manifest(build_manifest(DEFAULT_LOCAL_SOURCE), tmp_path)
    for name in (MANIFEST_NAME, FILES_NAME):
        assert (tmp_path / name).read_bytes() == (SPECS_DIR / name).read_bytes(), name


def test_write_then_load_round_trips_and_is_byte_stable(mini: MiniSpecs, tmp_path: Path) -> None:
    again = tmp_path / "again"
    write_manifest(mini.manifest, again)
    assert load_manifest(again).files == mini.manifest.files
    for name in (MANIFEST_NAME, FILES_NAME):
        assert (again / name).read_bytes() == (mini.specs_dir / name).read_bytes()
    assert load_manifest(again).digest == mini.manifest.digest


def _json_manifests(mini: MiniSpecs, folder: Path) -> None:
    """MANIFEST.json / MANIFEST-fr.json in the shared folder's format, for mini.subset."""
    general, french = [], []
    for path in mini.subset:
        record = mini.manifest.files[path]
        upstream = record.upstream
        source_path = upstream.path + (f"!{upstream.member}" if upstream.member else "")
        facts = {"source_repo": upstream.repo, "source_path": source_path,
                 "commit": upstream.commit, "sha256": record.sha256, "bytes": record.size}
        if path.startswith(("nos/", "schematron-cisis/")):
            how = ("transcribed from the upstream file's text" if record.transcribed
                   else "copied byte for byte")
            french.append({"local_path": path, "obtained_by": how, **facts})
        else:
            general.append({"path": path, **facts})
    general.append({"path": "catalog.xml", "source_repo": None, "source_path": None})
    (folder / "MANIFEST.json").write_text(json.dumps({"sources": {}, "files": general}))
    (folder / "MANIFEST-fr.json").write_text(json.dumps({"sources": [], "files": french}))


def test_build_manifest_from_json_manifests(mini: MiniSpecs) -> None:
    _json_manifests(mini, mini.source)
    built = build_manifest(mini.source)
    assert built.files == mini.manifest.files


def test_build_manifest_refuses_an_undescribed_file(mini: MiniSpecs) -> None:
    _json_manifests(mini, mini.source)
    (mini.source / "stray.xsd").write_bytes(b"<x/>")
    with pytest.raises(ManifestError, match=r"1 file\(s\) not described.*stray\.xsd"):
        build_manifest(mini.source)


def test_build_manifest_needs_the_json_manifests(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"MANIFEST\.json not found"):
        build_manifest(tmp_path)


def test_load_manifest_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"manifest\.toml is missing"):
        load_manifest(tmp_path)


def test_transcribed_record_pins_parsed_content(mini: MiniSpecs, spec_store: Path) -> None:
    path = "nos/fhir-json/ValueSet-JDV-J57-ClassCode-DMP.json"
    record = mini.manifest.files[path]
    data = (spec_store / path).read_bytes()
    assert record.transcribed and record.sha256 == sha256_hex(data)
    assert record.content_sha256 == sha256_hex(
        json.dumps(json.loads(data), sort_keys=True, ensure_ascii=False,
                   separators=(",", ":")).encode("utf-8"))


def test_catalog_map_matches_the_shared_catalog(real_manifest: Manifest) -> None:
    shared_catalog = DEFAULT_LOCAL_SOURCE / "catalog.xml"
    if not shared_catalog.is_file():
        pytest.skip("../shared/specs is not beside the checkout")
    from codegen.store import catalog_xml
    from dmpkit.xmlparse import parse_xml

    def mapping(data: bytes) -> dict[str, str]:
        return {e.get("systemId"): e.get("uri") for e in parse_xml(data).iter()
                if isinstance(e.tag, str) and e.tag.endswith("}system")}

    expected = mapping(shared_catalog.read_bytes())
    assert real_manifest.catalog == expected
    # fetch writes the store's catalog.xml from the manifest: same mappings
    assert mapping(catalog_xml(real_manifest.catalog)) == expected
    assert "http://www.w3.org/2001/xml.xsd" in expected
