"""``dmpkit cda``: make, validate and render CDA documents (a thin shell over dmpkit.cda)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from dmpkit.errors import DmpkitError

__all__ = ["cda"]


@click.group()
def cda() -> None:
    """CDA R2 documents: N1 builder, ANS-grade validation, HTML rendering."""


def _print_report(report: object) -> None:
    from dmpkit.cda.validation import CdaValidationReport

    assert isinstance(report, CdaValidationReport)
    verdict = "PASS" if report.passed else "FAIL"
    click.echo(f"{verdict} {report.document}")
    for layer in report.layers:
        extra = f" ({layer.reason})" if layer.reason else ""
        source = f" [{layer.source}]" if layer.source else ""
        click.echo(f"  layer {layer.layer}: {layer.status.value}{source}"
                   f" {layer.seconds:.2f}s{extra}")
        for note in layer.notes:
            click.echo(f"    note: {note}")
        for finding in layer.findings:
            click.echo(f"    {finding.severity.value.upper()} layer={layer.layer} "
                       f"rule={finding.rule_id}")
            click.echo(f"      at      {finding.location}")
            if finding.value is not None:
                click.echo(f"      value   {finding.value}")
            click.echo(f"      message {finding.allowed}")


@cda.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False,
                                                                  path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.option("--layer", "layers", multiple=True,
              type=click.Choice(["xsd", "header", "document-type"]),
              help="Run only these layers (repeatable; default: all three).")
@click.option("--schematron", default=None,
              help="Store-relative .sch to use as the document-type layer.")
def validate(files: tuple[Path, ...], as_json: bool, layers: tuple[str, ...],
             schematron: str | None) -> None:
    """Validate CDA FILES: ANS XSD, CI-SIS header and document-type schematrons.

    Exits 0 only when every layer of every file passes (a layer that could not run is
    no pass).
    """
    from dmpkit.cda.validation import ALL_LAYERS, validate_cda_file

    reports = []
    for path in files:
        try:
            reports.append(validate_cda_file(path, layers=layers or ALL_LAYERS,
                                             document_schematron=schematron))
        except DmpkitError as exc:
            raise click.ClickException(f"{path.name}: {exc}") from None
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        for report in reports:
            _print_report(report)
    if not all(r.passed for r in reports):
        raise SystemExit(1)


@cda.command("render")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write.")
def render(file: Path, output: Path) -> None:
    """Render the CDA FILE to an HTML page (header, body, embedded PDF)."""
    from dmpkit.cda.render import render_html

    try:
        html = render_html(file.read_bytes())
    except DmpkitError as exc:
        raise click.ClickException(f"{file.name}: {exc}") from None
    output.write_text(html, encoding="utf-8")
    click.echo(f"wrote {output}")


@cda.command("make")
@click.argument("content", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The CDA file to write.")
@click.option("--header", "header", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file with the header inputs (see dmpkit.cda.header_file).")
@click.option("--sample-header", is_flag=True,
              help="Use the fictitious sample header of dmpkit.cda.samples instead.")
@click.option("--media-type", default=None,
              help="Media type of CONTENT (default: from its extension: .pdf, .txt, .rtf, "
                   ".jpg, .tif).")
@click.option("--title", default=None, help="Document title (overrides the header's).")
def make(content: Path, output: Path, header: Path | None, sample_header: bool,
         media_type: str | None, title: str | None) -> None:
    """Make an N1 CDA document embedding CONTENT (PDF, text...) with a CI-SIS header."""
    from dmpkit.cda.builder import N1Builder, N1Document
    from dmpkit.cda.header_file import load_header
    from dmpkit.cda.samples import sample_document

    if (header is None) == (not sample_header):
        raise click.UsageError("give exactly one of --header FILE.toml and --sample-header")
    by_extension = {".pdf": "application/pdf", ".txt": "text/plain", ".rtf": "text/rtf",
                    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".tif": "image/tiff",
                    ".tiff": "image/tiff"}
    chosen = media_type or by_extension.get(content.suffix.lower())
    if chosen is None:
        raise click.ClickException(f"cannot tell the media type of {content.name}: "
                                   "give --media-type")
    changes: dict[str, Any] = {"content": content.read_bytes(), "media_type": chosen}
    if title:
        changes["title"] = title
    try:
        if header is not None:
            spec = N1Document(**{**load_header(header), **changes})
        else:
            spec = sample_document(**changes)
        result = N1Builder().build(spec)
    except DmpkitError as exc:
        raise click.ClickException(str(exc)) from None
    output.write_bytes(result.xml)
    for finding in result.findings:
        click.echo(finding.format(), err=True)
    click.echo(f"wrote {output} (formatCode {result.format_code})")
