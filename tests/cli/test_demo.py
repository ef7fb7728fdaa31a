"""``dmpkit demo``: the smoke run over the spec store, the bindings and the XML schemas."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from dmpkit import testmode
from dmpkit.cli import main
from dmpkit.cli.demo import SAMPLE_MESSAGE, xml_difference
from dmpkit.namespaces import RIM
from dmpkit.xmlparse import parse_xml


@pytest.fixture
def test_mode() -> Iterator[None]:
    testmode.enable(seed=1)
    yield
    testmode.disable()


@pytest.fixture
def sample(spec_store: Path) -> etree._Element:
    return parse_xml((spec_store / SAMPLE_MESSAGE).read_bytes())


def _store_with_sample(spec_store: Path, store: Path, sample: bytes) -> Path:
    """A spec store sharing the real schemas, whose ITI-41 sample is ``sample``."""
    store.mkdir()
    for entry in spec_store.iterdir():
        if entry.name != "examples":
            (store / entry.name).symlink_to(entry)
    (store / SAMPLE_MESSAGE).parent.mkdir(parents=True)
    (store / SAMPLE_MESSAGE).write_bytes(sample)
    return store


def test_smoke_run_passes_on_the_real_sample(
    spec_store: Path, monkeypatch: pytest.MonkeyPatch, test_mode: None
) -> None:
    monkeypatch.setenv("DMPKIT_SPECS", str(spec_store))
    result = CliRunner().invoke(main, ["demo", "--smoke"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1:] == [
        f"  [1/4] spec store: ok, found {SAMPLE_MESSAGE}",
        "  [2/4] generated bindings: ok, "
        "dmpkit_bindings.xdsb.models.ProvideAndRegisterDocumentSetRequest",
        "  [3/4] round trip of a real ITI-41 request: ok, "
        "parsed, serialized and parsed again: same elements, attributes and text",
        "  [4/4] XML schema validation: ok, "
        "valid against ihe-iti/schema/IHE/XDS.b_DocumentRepository.xsd",
        "smoke run passed",
    ]
    assert str(spec_store) not in result.output, "test mode output must not name local paths"


def test_missing_store_says_how_to_fill_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DMPKIT_SPECS", str(tmp_path))
    result = CliRunner().invoke(main, ["demo", "--smoke"])
    assert result.exit_code == 1
    assert "[1/4] spec store: FAILED" in result.output
    assert "python -m codegen fetch" in result.stderr


def test_schema_invalid_sample_fails_at_validation(
    spec_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: etree._Element
) -> None:
    # rim.xsd caps a slot value at 256 characters (LongName): the bindings carry it regardless.
    value = sample.find(f".//{{{RIM}}}Slot/{{{RIM}}}ValueList/{{{RIM}}}Value")
    assert value is not None
    value.text = "x" * 257
    store = _store_with_sample(spec_store, tmp_path / "store", etree.tostring(sample))
    monkeypatch.setenv("DMPKIT_SPECS", str(store))
    result = CliRunner().invoke(main, ["demo", "--smoke"])
    assert result.exit_code == 1
    assert "[3/4] round trip of a real ITI-41 request: ok" in result.output
    assert "[4/4] XML schema validation: FAILED" in result.output
    assert "maxLength" in result.stderr


def test_identical_trees_have_no_difference(sample: etree._Element) -> None:
    assert xml_difference(sample, parse_xml(etree.tostring(sample))) is None


def test_prefixes_and_indentation_are_not_differences(sample: etree._Element) -> None:
    renamed = etree.tostring(sample)
    for old, new in ((b"<rim:", b"<r:"), (b"</rim:", b"</r:"), (b"xmlns:rim=", b"xmlns:r=")):
        renamed = renamed.replace(old, new)
    assert b"rim:" not in renamed.replace(b"xsd:rim:", b"")
    reindented = parse_xml(renamed)
    etree.indent(reindented)
    assert xml_difference(sample, reindented) is None


def test_changed_attribute_is_located(sample: etree._Element) -> None:
    changed = parse_xml(etree.tostring(sample))
    entry = changed.find(f".//{{{RIM}}}ExtrinsicObject")
    assert entry is not None
    entry.set("mimeType", "application/pdf")
    found = xml_difference(sample, changed)
    assert found is not None
    assert found.startswith(
        "/ProvideAndRegisterDocumentSetRequest/SubmitObjectsRequest[1]"
        "/RegistryObjectList[1]/ExtrinsicObject[1]: attributes"
    )
    assert "'application/pdf'" in found


def test_removed_element_is_located(sample: etree._Element) -> None:
    changed = parse_xml(etree.tostring(sample))
    entry = changed.find(f".//{{{RIM}}}ExtrinsicObject")
    assert entry is not None
    entry.remove(entry[0])
    found = xml_difference(sample, changed)
    assert found is not None
    assert found.endswith(f"{len(entry)} child elements instead of {len(entry) + 1}")
