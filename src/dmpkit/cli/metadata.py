"""``dmpkit metadata``: validate the XDS metadata of ITI-41/42/57 messages against DMP rules."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dmpkit.findings import findings_to_json, format_findings, has_errors
from dmpkit.metadata.messages import MessageFormatError
from dmpkit.metadata.rules import load_rules
from dmpkit.metadata.validate import validate_message
from dmpkit.xmlparse import XmlSecurityError

EXIT_INVALID = 1
EXIT_UNREADABLE = 2


@click.group()
def metadata() -> None:
    """XDS metadata: validate messages against the DMP rules, list the rules."""


@metadata.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON.")
@click.option("--content-type", default=None,
              help="HTTP Content-Type of an MTOM body saved without its headers.")
def validate(files: tuple[Path, ...], as_json: bool, content_type: str | None) -> None:
    """Validate the XDS metadata of ITI-41/42/57 messages against the DMP rules.

    Each FILE is a SubmitObjectsRequest, a ProvideAndRegisterDocumentSetRequest, either in a
    SOAP envelope, or a raw MTOM capture. Exit 0 only when no file has an error (1: errors,
    2: a file is unreadable).
    """
    failed = False
    unreadable = False
    report: dict[str, object] = {}
    for path in files:
        try:
            findings = validate_message(path.read_bytes(), content_type)
        except (MessageFormatError, XmlSecurityError) as error:
            unreadable = True
            if as_json:
                report[str(path)] = {"error": str(error)}
            else:
                click.echo(f"== {path}\nunreadable: {error}", err=True)
            continue
        failed = failed or has_errors(findings)
        if as_json:
            report[str(path)] = json.loads(findings_to_json(findings))
        else:
            click.echo(f"== {path}\n{format_findings(findings)}")
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    if unreadable:
        raise SystemExit(EXIT_UNREADABLE)
    if failed:
        raise SystemExit(EXIT_INVALID)


@metadata.command("rules")
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
def rules_command(as_json: bool) -> None:
    """List the DMP metadata rules and what the public material leaves unknown."""
    ruleset = load_rules()
    if as_json:
        click.echo(json.dumps({
            "rules": [{"id": r.id, "check": r.check, "carrier": r.carrier, "item": r.item,
                       "severity": r.severity.value, "error_code": r.error_code,
                       "certainty": r.certainty, "source": r.source} for r in ruleset.rules],
            "unknowns": [{"id": u.id, "topic": u.topic, "certainty": u.certainty,
                          "note": u.note, "rule": u.rule} for u in ruleset.unknowns],
        }, ensure_ascii=False, indent=2))
        return
    for rule in ruleset.rules:
        click.echo(f"{rule.id:40} {rule.severity.value:7} [{rule.certainty}] "
                   f"{rule.carrier}.{rule.item}")
    click.echo("\nUnknown or contradictory in the public material:")
    for unknown in ruleset.unknowns:
        click.echo(f"{unknown.id:40} [{unknown.certainty}] {unknown.topic}: {unknown.note}")
