"""``dmpkit transactions``: list and show the DMP transaction catalogue."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from dmpkit.catalogue import Catalogue, CatalogueError, Transaction, load_catalogue

EXIT_NOT_FOUND = 1


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def _as_json(transaction: Transaction, catalogue: Catalogue) -> dict[str, Any]:
    return {
        "id": transaction.id,
        "td": transaction.td,
        "name": transaction.name,
        "purpose": transaction.purpose,
        "standard": transaction.standard,
        "service": transaction.service.value if transaction.service else None,
        "path": catalogue.service_path(transaction.service) if transaction.service else None,
        "request_actions": list(transaction.request_actions),
        "response_actions": list(transaction.response_actions),
        "request_root": transaction.request_root,
        "response_roots": list(transaction.response_roots),
        "reason_code": transaction.reason_code,
        "distinguished_by": transaction.distinguished_by,
        "mtom_request": transaction.mtom_request.value,
        "mtom_response": transaction.mtom_response.value,
        "idempotent": transaction.idempotent,
        "vihf_required": list(transaction.vihf_required),
        "auth_modes": sorted(m.value for m in transaction.auth_modes),
        "access_modes": sorted(m.value for m in transaction.access_modes),
        "rights": transaction.rights,
        "scope": transaction.scope.value,
        "scope_reason": transaction.scope_reason,
        "sources": {
            key: {"certainty": [c.value for c in fact.certainties], "citation": fact.citation}
            for key, fact in transaction.sources.items()
        },
    }


def _catalogue() -> Catalogue:
    try:
        return load_catalogue()
    except CatalogueError as error:
        click.echo(f"error: {error}", err=True)
        raise click.exceptions.Exit(EXIT_NOT_FOUND) from None


@click.group()
def transactions() -> None:
    """The DMP transactions (TD0.0 … TD3.3d): services, SOAP actions, scope."""


@transactions.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include the out-of-scope transactions.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_command(show_all: bool, as_json: bool) -> None:
    """List the supported transactions (every one with --all)."""
    catalogue = _catalogue()
    chosen = catalogue.transactions if show_all else catalogue.supported()
    if as_json:
        documents = [_as_json(t, catalogue) for t in chosen]
        click.echo(json.dumps(documents, ensure_ascii=False, indent=2))
        return
    rows = [
        [t.id, t.name, t.service.value if t.service else "-", t.reason_code or "",
         t.request_action or "-", t.scope.value]
        for t in chosen
    ]
    click.echo(_table(["ID", "NAME", "SERVICE", "REASON", "ACTION", "SCOPE"], rows))


@transactions.command("show")
@click.argument("key")
def show_command(key: str) -> None:
    """Show one transaction, by id (TD3.1), TD number (TD0.3) or client name."""
    catalogue = _catalogue()
    try:
        found: Sequence[Transaction] = catalogue.by_td(key)
    except CatalogueError:
        try:
            found = [catalogue.get(key) if key.startswith("TD") else catalogue.by_name(key)]
        except CatalogueError as error:
            click.echo(f"error: {error}", err=True)
            raise click.exceptions.Exit(EXIT_NOT_FOUND) from None
    documents = [_as_json(t, catalogue) for t in found]
    click.echo(json.dumps(documents, ensure_ascii=False, indent=2))
