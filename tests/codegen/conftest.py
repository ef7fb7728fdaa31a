"""Fixtures for the codegen tests: the committed manifest and a small spec subset with its
own mini-manifest, built from real spec files of the spec store."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from codegen.manifest import Manifest, load_manifest, write_manifest
from codegen.paths import SPECS_DIR

# A plain upstream file, a zip member, transcribed JSON (one with a non-ASCII upstream
# path), a transcribed XML file and the W3C xml.xsd.
SUBSET = (
    "ihe-iti/schema/IHE/SVS.xsd",
    "ihe-iti/schema/ebRS30/rim.xsd",
    "ihe-iti/schema/ebRS30/rs.xsd",
    "nos/fhir-json/ConceptMap-ASS-X16-CorrespondanceType-Classe-DMP.json",
    "nos/fhir-json/ValueSet-JDV-J57-ClassCode-DMP.json",
    "schematron-cisis/schematrons/profils/structurationMinimale/include/"
    "voc-1.2.250.1.213.1.1.5.471-DYNAMIC.xml",
    "xml/xml.xsd",
)


@dataclass
class MiniSpecs:
    """A temporary local source holding SUBSET and the manifest describing only it."""

    source: Path
    specs_dir: Path
    subset: tuple[str, ...]
    manifest: Manifest
    store: Path


@pytest.fixture(scope="session")
def real_manifest() -> Manifest:
    """The committed specs/manifest.toml."""
    return load_manifest(SPECS_DIR)


@pytest.fixture
def mini(tmp_path: Path, spec_store: Path, real_manifest: Manifest) -> MiniSpecs:
    """SUBSET copied from the spec store into a temporary source, with its mini-manifest."""
    source = tmp_path / "source"
    for relative in SUBSET:
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(spec_store / relative, source / relative)
    specs_dir = tmp_path / "specs"
    subset = Manifest(
        files={path: real_manifest.files[path] for path in SUBSET},
        catalog={"http://www.w3.org/2001/xml.xsd": "xml/xml.xsd"},
        namespaces={"urn:ihe:iti:svs:2008": ["ihe-iti/schema/IHE/SVS.xsd"]},
    )
    write_manifest(subset, specs_dir)
    return MiniSpecs(source, specs_dir, SUBSET, load_manifest(specs_dir), tmp_path / "store")
