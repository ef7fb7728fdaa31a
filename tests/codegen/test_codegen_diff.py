"""diff OLD NEW on a copy of ebRS rim.xsd that the test alters: the report lists exactly
the field added, the enumeration value removed and the types changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from codegen.__main__ import main
from codegen.diff import diff_paths, render_markdown

RIM = "ihe-iti/schema/ebRS/rim.xsd"


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"fixture assumption broken: {old!r}"
    return text.replace(old, new)


@pytest.fixture
def versions(tmp_path: Path, spec_store: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    for folder in (old, new):
        folder.mkdir()
        shutil.copyfile(spec_store / RIM, folder / "rim.xsd")
        shutil.copyfile(spec_store / "ihe-iti/schema/ebRS/rs.xsd", folder / "rs.xsd")
    text = (new / "rim.xsd").read_text(encoding="utf-8")
    # a field added: an optional attribute on SlotType1
    text = _replace_once(
        text,
        '<attribute name="slotType" type="tns:referenceURI" use="optional"/>',
        '<attribute name="slotType" type="tns:referenceURI" use="optional"/>\n'
        '    <attribute name="priority" type="tns:LongName" use="optional"/>',
    )
    # an enumeration value removed from RegistryType/@conformanceProfile
    text = _replace_once(text, '<enumeration value="registryFull"/>', "")
    # a type changed: the element Value, and the type of the field SlotType1/@name
    text = _replace_once(text, '<element name="Value" type="tns:LongName"/>',
                         '<element name="Value" type="tns:ShortName"/>')
    text = _replace_once(text, '<attribute name="name" type="tns:LongName" use="required"/>',
                         '<attribute name="name" type="tns:ShortName" use="required"/>')
    (new / "rim.xsd").write_text(text, encoding="utf-8")
    return old, new


def test_report_lists_exactly_the_changes(versions: tuple[Path, Path]) -> None:
    report = diff_paths(*versions).as_json()
    assert report["files"] == {"added": [], "removed": [], "skipped": []}
    assert report["types"]["added"] == [] and report["types"]["removed"] == []
    assert report["types"]["changed"] == [{
        "file": "rim.xsd", "kind": "element", "name": "Value",
        "changes": {"type": {"old": "tns:LongName", "new": "tns:ShortName"}},
    }]
    assert report["fields"]["added"] == [{
        "file": "rim.xsd", "kind": "complexType", "type": "SlotType1", "field": "@priority",
        "properties": {"type": "tns:LongName", "use": "optional"},
    }]
    assert report["fields"]["removed"] == []
    assert report["fields"]["changed"] == [{
        "file": "rim.xsd", "kind": "complexType", "type": "SlotType1", "field": "@name",
        "changes": {"type": {"old": "tns:LongName", "new": "tns:ShortName"}},
    }]
    assert report["enumerations"] == {"added": [], "removed": [{
        "file": "rim.xsd", "kind": "complexType", "type": "RegistryType",
        "field": "@conformanceProfile", "value": "registryFull",
    }]}


def test_identical_folders_have_an_empty_report(versions: tuple[Path, Path]) -> None:
    old, _ = versions
    report = diff_paths(old, old)
    assert report.is_empty()
    assert "0 declarations added, 0 removed, 0 changed" in render_markdown(report)


def test_two_files_compare_like_two_folders(versions: tuple[Path, Path]) -> None:
    old, new = versions
    report = diff_paths(old / "rim.xsd", new / "rim.xsd").as_json()
    assert [e["field"] for e in report["fields"]["added"]] == ["@priority"]
    assert [e["value"] for e in report["enumerations"]["removed"]] == ["registryFull"]


def test_added_and_removed_files_and_their_declarations(versions: tuple[Path, Path]) -> None:
    old, new = versions
    (new / "rs.xsd").rename(new / "rs2.xsd")
    report = diff_paths(old, new).as_json()
    assert report["files"]["added"] == [{"file": "rs2.xsd"}]
    assert report["files"]["removed"] == [{"file": "rs.xsd"}]
    added = {(e["file"], e["kind"], e["name"]) for e in report["types"]["added"]}
    assert ("rs2.xsd", "element", "RegistryResponse") in added


def test_a_file_refused_by_the_hardened_parser_is_reported_as_skipped(
    versions: tuple[Path, Path],
) -> None:
    old, new = versions
    (new / "evil.xsd").write_text('<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>')
    report = diff_paths(old, new).as_json()
    assert report["files"]["skipped"][0]["file"] == "evil.xsd"
    assert "refused" in report["files"]["skipped"][0]["reason"]


def test_cli_writes_markdown_and_json(versions: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = versions
    prefix = tmp_path / "report" / "rim-change"
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--out", str(prefix)])
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "report" / "rim-change.md").read_text(encoding="utf-8")
    assert "`complexType SlotType1 / @priority`: type `tns:LongName`, use `optional`" in markdown
    assert "`complexType RegistryType / @conformanceProfile`: `registryFull`" in markdown
    assert "element `Value`: type `tns:LongName` → `tns:ShortName`" in markdown
    document = json.loads((tmp_path / "report" / "rim-change.json").read_text(encoding="utf-8"))
    assert document == diff_paths(old, new).as_json()


def test_cli_refuses_a_folder_against_a_file(versions: tuple[Path, Path]) -> None:
    old, new = versions
    result = CliRunner().invoke(main, ["diff", str(old), str(new / "rim.xsd")])
    assert result.exit_code == 2 and "both be folders or both be files" in result.output
