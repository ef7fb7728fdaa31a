"""``dmpkit valuesets``: list, show and search the national value sets (NOS)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from dmpkit.valuesets import (
    ConceptMap,
    SearchHit,
    ValueSet,
    ValueSetError,
    ValueSetInfo,
    registry,
)

EXIT_NOT_FOUND = 1
json_option = click.option("--json", "as_json", is_flag=True,
                           help="Print JSON (stable: sorted keys) instead of a table.")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Rows as left-aligned columns, the last column unpadded."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        padded = [c.ljust(w) for c, w in zip(cells[:-1], widths[:-1], strict=True)]
        return "  ".join([*padded, cells[-1]]).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def _info_json(info: ValueSetInfo) -> dict[str, Any]:
    return {
        "key": info.key, "name": info.name, "oid": info.oid, "version": info.version,
        "date": info.date.isoformat() if info.date else None, "kind": info.kind,
        "count": info.count, "source": info.source, "is_mapping": info.is_mapping,
    }


def _print_json(document: object) -> None:
    click.echo(json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2))


def _fail(error: ValueSetError) -> None:
    click.echo(f"error: {error}", err=True)
    click.get_current_context().exit(EXIT_NOT_FOUND)


@click.group()
def valuesets() -> None:
    """Browse the national value sets (NOS): JDV, TRE and ASS tables."""


@valuesets.command("list")
@json_option
def list_command(as_json: bool) -> None:
    """List every value set and association table with its OID, version, date and size."""
    try:
        infos = registry.list()
    except ValueSetError as error:
        _fail(error)
        return
    if as_json:
        _print_json([_info_json(i) for i in infos])
        return
    rows = [[i.name, i.oid, i.version or "", i.date.isoformat() if i.date else "",
             str(i.count), i.kind] for i in infos]
    click.echo(_table(["NAME", "OID", "VERSION", "DATE", "CODES", "KIND"], rows))
    sets = [i for i in infos if not i.is_mapping]
    click.echo(f"\n{len(sets)} value sets ({sum(i.count for i in sets)} codes), "
               f"{len(infos) - len(sets)} association tables")


def _header_lines(info: ValueSetInfo, description: str) -> list[str]:
    fields = [("Name", info.name), ("OID", info.oid), ("Version", info.version or "(none stated)"),
              ("Date", info.date.isoformat() if info.date else "(none stated)"),
              ("Kind", info.kind), ("Source", info.source),
              ("Mappings" if info.is_mapping else "Codes", str(info.count))]
    if description:
        fields.insert(1, ("Description", description))
    width = max(len(label) for label, _ in fields)
    return [f"{label.ljust(width)} : {value}" for label, value in fields]


def _show_value_set(value_set: ValueSet, as_json: bool) -> None:
    if as_json:
        document = _info_json(value_set.info) | {
            "description": value_set.description,
            "source_sha256": value_set.source_sha256,
            "concepts": [{"code": c.code, "code_system": c.code_system, "display": c.display,
                          "end_date": c.end_date.isoformat() if c.end_date else None}
                         for c in value_set.concepts],
        }
        _print_json(document)
        return
    click.echo("\n".join(_header_lines(value_set.info, value_set.description)) + "\n")
    if any(c.end_date for c in value_set.concepts):
        # Retired codes stay listed by a terminology: show when they ended.
        rows = [[c.code, c.code_system, c.end_date.isoformat() if c.end_date else "",
                 c.display or ""] for c in value_set.concepts]
        click.echo(_table(["CODE", "CODE SYSTEM", "ENDED", "DISPLAY"], rows))
        return
    rows = [[c.code, c.code_system, c.display or ""] for c in value_set.concepts]
    click.echo(_table(["CODE", "CODE SYSTEM", "DISPLAY"], rows))


def _show_mapping(table: ConceptMap, as_json: bool) -> None:
    if as_json:
        document = _info_json(table.info) | {
            "description": table.description,
            "source_sha256": table.source_sha256,
            "source_set": table.source_set,
            "target_set": table.target_set,
            "mappings": [{"source_code": m.source.code, "source_system": m.source.code_system,
                          "target_code": m.target.code, "target_system": m.target.code_system,
                          "equivalence": m.equivalence} for m in table.mappings],
        }
        _print_json(document)
        return
    click.echo("\n".join(_header_lines(table.info, table.description)) + "\n")
    rows = [[m.source.code, m.source.code_system, m.target.code, m.target.code_system]
            for m in table.mappings]
    click.echo(_table(["SOURCE CODE", "SOURCE SYSTEM", "TARGET CODE", "TARGET SYSTEM"], rows))


@valuesets.command("show")
@click.argument("name_or_oid")
@json_option
def show_command(name_or_oid: str, as_json: bool) -> None:
    """Show one set (NOS name, short name like J66, or OID) and its codes."""
    try:
        info = registry.info(name_or_oid)
        if info.is_mapping:
            _show_mapping(registry.mapping(info.key), as_json)
        else:
            _show_value_set(registry.get(info.key), as_json)
    except ValueSetError as error:
        _fail(error)


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    return {"value_set": hit.value_set.name, "oid": hit.value_set.oid, "code": hit.concept.code,
            "code_system": hit.concept.code_system, "display": hit.concept.display}


@valuesets.command("search")
@click.argument("text")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Stop after N hits.")
@json_option
def search_command(text: str, limit: int | None, as_json: bool) -> None:
    """Find codes whose code or display holds every word of TEXT (case and accents ignored)."""
    try:
        hits = registry.search(text, limit=limit)
    except ValueSetError as error:
        _fail(error)
        return
    if as_json:
        _print_json([_hit_json(h) for h in hits])
        return
    if not hits:
        click.echo(f"no code matches {text!r}")
        return
    rows = [[h.value_set.name, h.concept.code, h.concept.display or ""] for h in hits]
    click.echo(_table(["VALUE SET", "CODE", "DISPLAY"], rows))
    click.echo(f"\n{len(hits)} match(es)")
