"""``python -m codegen diff OLD NEW``: what changed between two versions of the schemas.

Reports declarations (types, elements, groups), fields (elements, attributes with type and
cardinality) and enumeration values added, removed and changed, as markdown and JSON —
the review step before ``regen --accept``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codegen.errors import UsageError
from codegen.xsdmodel import SchemaSet, TypeModel, describe_paths, schema_files

Entry = dict[str, Any]


@dataclass(slots=True)
class Changes:
    """Added, removed and changed entries of one category."""

    added: list[Entry] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)
    changed: list[Entry] = field(default_factory=list)

    def as_json(self) -> dict[str, list[Entry]]:
        """The JSON form (``changed`` omitted for enumerations, which only come and go)."""
        return {"added": self.added, "removed": self.removed, "changed": self.changed}


@dataclass(slots=True)
class SchemaDiff:
    """The whole report.

    Attributes:
        old, new: what was compared (as given).
        files: schema files added/removed (``changed`` unused); ``skipped``: unreadable ones.
        types, fields, enumerations: the changes per category.
    """

    old: str
    new: str
    files: Changes = field(default_factory=Changes)
    skipped: list[Entry] = field(default_factory=list)
    types: Changes = field(default_factory=Changes)
    fields: Changes = field(default_factory=Changes)
    enumerations: Changes = field(default_factory=Changes)

    def is_empty(self) -> bool:
        """Whether nothing differs."""
        return not any(c.added or c.removed or c.changed
                       for c in (self.files, self.types, self.fields, self.enumerations))

    def as_json(self) -> dict[str, Any]:
        """The report as a JSON-ready dictionary."""
        return {
            "old": self.old, "new": self.new,
            "files": {"added": self.files.added, "removed": self.files.removed,
                      "skipped": self.skipped},
            "types": self.types.as_json(),
            "fields": self.fields.as_json(),
            "enumerations": {"added": self.enumerations.added,
                             "removed": self.enumerations.removed},
        }


def _property_changes(old: dict[str, str], new: dict[str, str]) -> dict[str, dict[str, str]]:
    return {
        name: {"old": old.get(name, ""), "new": new.get(name, "")}
        for name in sorted(old.keys() | new.keys())
        if old.get(name, "") != new.get(name, "")
    }


def _compare_declaration(file: str, old: TypeModel, new: TypeModel, report: SchemaDiff) -> None:
    where = {"file": file, "kind": new.kind, "type": new.name}
    changes = _property_changes(old.properties, new.properties)
    if changes:
        report.types.changed.append({"file": file, "kind": new.kind, "name": new.name,
                                     "changes": changes})
    for path in sorted(new.fields.keys() - old.fields.keys()):
        report.fields.added.append({**where, "field": path, "properties": new.fields[path]})
    for path in sorted(old.fields.keys() - new.fields.keys()):
        report.fields.removed.append({**where, "field": path, "properties": old.fields[path]})
    for path in sorted(old.fields.keys() & new.fields.keys()):
        changes = _property_changes(old.fields[path], new.fields[path])
        if changes:
            report.fields.changed.append({**where, "field": path, "changes": changes})
    for path in sorted(old.enumerations.keys() | new.enumerations.keys()):
        before = old.enumerations.get(path, [])
        after = new.enumerations.get(path, [])
        report.enumerations.added += [{**where, "field": path, "value": value}
                                       for value in after if value not in before]
        report.enumerations.removed += [{**where, "field": path, "value": value}
                                        for value in before if value not in after]


def compare(old: SchemaSet, new: SchemaSet, old_label: str, new_label: str) -> SchemaDiff:
    """Compare two described schema sets."""
    report = SchemaDiff(old_label, new_label)
    report.files.added = [{"file": f} for f in sorted(set(new.files) - set(old.files))]
    report.files.removed = [{"file": f} for f in sorted(set(old.files) - set(new.files))]
    report.skipped = [{"file": f, "side": side, "reason": reason}
                      for side, described in (("old", old), ("new", new))
                      for f, reason in sorted(described.skipped.items())]
    for key in sorted(new.model.keys() - old.model.keys()):
        report.types.added.append({"file": key[0], "kind": key[1], "name": key[2]})
    for key in sorted(old.model.keys() - new.model.keys()):
        report.types.removed.append({"file": key[0], "kind": key[1], "name": key[2]})
    for key in sorted(old.model.keys() & new.model.keys()):
        _compare_declaration(key[0], old.model[key], new.model[key], report)
    return report


def describe_side(path: Path) -> SchemaSet:
    """Describe a folder of schemas, or one schema file (keyed by its bare name)."""
    if path.is_dir():
        return describe_paths(schema_files(path))
    if path.is_file():
        return describe_paths({"": path})
    raise UsageError(f"{path}: no such file or folder")


def diff_paths(old: Path, new: Path) -> SchemaDiff:
    """Compare two spec folders, or two schema files.

    Raises:
        UsageError: a path is absent, or one is a folder and the other a file.
    """
    if old.is_dir() != new.is_dir() and old.exists() and new.exists():
        raise UsageError("OLD and NEW must both be folders or both be files")
    return compare(describe_side(old), describe_side(new), str(old), str(new))


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _properties_text(properties: dict[str, str]) -> str:
    return ", ".join(f"{k} {_code(v)}" for k, v in properties.items()) or "no properties"


def _changes_text(changes: dict[str, dict[str, str]]) -> str:
    return "; ".join(f"{name} {_code(c['old'] or '(none)')} → {_code(c['new'] or '(none)')}"
                     for name, c in changes.items())


def _in(entry: Entry) -> str:
    return f" — {entry['file']}" if entry["file"] else ""


def _section(title: str, lines: list[str]) -> list[str]:
    return [f"### {title}", "", *(lines or ["none"]), ""]


def render_markdown(report: SchemaDiff) -> str:
    """The report as a readable markdown document."""
    counts = (
        f"{len(report.types.added)} declarations added, {len(report.types.removed)} removed, "
        f"{len(report.types.changed)} changed; {len(report.fields.added)} fields added, "
        f"{len(report.fields.removed)} removed, {len(report.fields.changed)} changed; "
        f"{len(report.enumerations.added)} enumeration values added, "
        f"{len(report.enumerations.removed)} removed."
    )
    out = [f"# Schema changes: {_code(report.old)} → {_code(report.new)}", "", counts, "",
           "## Files", ""]
    out += _section("Added", [f"- {_code(e['file'])}" for e in report.files.added])
    out += _section("Removed", [f"- {_code(e['file'])}" for e in report.files.removed])
    if report.skipped:
        out += _section("Not readable (skipped)", [
            f"- {_code(e['file'])} ({e['side']}): {e['reason']}" for e in report.skipped])
    out += ["## Declarations", ""]
    out += _section("Added", [f"- {e['kind']} {_code(e['name'])}{_in(e)}"
                              for e in report.types.added])
    out += _section("Removed", [f"- {e['kind']} {_code(e['name'])}{_in(e)}"
                                for e in report.types.removed])
    out += _section("Changed", [
        f"- {e['kind']} {_code(e['name'])}: {_changes_text(e['changes'])}{_in(e)}"
        for e in report.types.changed])
    out += ["## Fields", ""]
    field_name = "{kind} {type} / {field}"
    out += _section("Added", [
        f"- {_code(field_name.format(**e))}: {_properties_text(e['properties'])}{_in(e)}"
        for e in report.fields.added])
    out += _section("Removed", [
        f"- {_code(field_name.format(**e))}: {_properties_text(e['properties'])}{_in(e)}"
        for e in report.fields.removed])
    out += _section("Changed", [
        f"- {_code(field_name.format(**e))}: {_changes_text(e['changes'])}{_in(e)}"
        for e in report.fields.changed])
    out += ["## Enumeration values", ""]

    def enum_line(e: Entry) -> str:
        owner = f"{e['kind']} {e['type']}" + (f" / {e['field']}" if e["field"] else "")
        return f"- {_code(owner)}: {_code(e['value'])}{_in(e)}"

    out += _section("Added", [enum_line(e) for e in report.enumerations.added])
    out += _section("Removed", [enum_line(e) for e in report.enumerations.removed])
    return "\n".join(out).rstrip("\n") + "\n"


def write_report(report: SchemaDiff, prefix: Path) -> tuple[Path, Path]:
    """Write ``PREFIX.md`` and ``PREFIX.json``; returns both paths."""
    markdown = prefix.with_name(prefix.name + ".md")
    document = prefix.with_name(prefix.name + ".json")
    prefix.parent.mkdir(parents=True, exist_ok=True)
    markdown.write_text(render_markdown(report), encoding="utf-8")
    document.write_text(json.dumps(report.as_json(), indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    return markdown, document
