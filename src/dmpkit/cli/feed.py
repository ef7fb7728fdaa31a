"""``dmpkit feed DIR --patient INS``: feed many documents, concurrently, resumably.

Every ``*.xml`` file of DIR is a CDA document fed as is; every ``*.pdf`` is wrapped in a CDA N1
document for the patient (the identity traits are then required). Documents go to a local SI
DMP kept in a folder (so successive runs see the same DMP). A JSON-lines journal makes a re-run
after an interruption send only what was not registered (:mod:`dmpkit.client.bulk`).
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import click

from dmpkit.client import AsyncDmpClient, ClientSettings, DmpError, FeedDocument
from dmpkit.client.bulk import DEFAULT_MAX_RATE, BulkItem, BulkReport, FeedJournal, feed_many
from dmpkit.errors import DmpkitError
from dmpkit.vihf import InsIdentifier

__all__ = ["JOURNAL_NAME", "feed", "load_items"]

JOURNAL_NAME = ".dmpkit-feed.jsonl"


def _patient(value: str, oid: str) -> InsIdentifier:
    if "^" in value:
        return InsIdentifier.from_cx(value)
    return InsIdentifier(value, oid)


def load_items(folder: Path, patient: InsIdentifier, *, birth_name: str | None,
               given: str | None, gender: str | None, birth_date: date | None
               ) -> list[BulkItem]:
    """The documents of ``folder`` (sorted by name): CDA files as they are, PDFs wrapped.

    A PDF's CDA gets an id derived from the PDF's SHA-256 and its time from the file's
    modification time, so rebuilding it in a later run gives the same uniqueId.

    Raises:
        click.UsageError: a PDF without the patient's identity traits.
        DmpError: a CDA header lacks metadata the DMP requires.
    """
    from dmpkit.local import n1_document

    items: list[BulkItem] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() == ".xml":
            items.append(BulkItem(path.name, FeedDocument.from_cda(path.read_bytes())))
        elif path.suffix.lower() == ".pdf":
            if not (birth_name and given and gender and birth_date):
                raise click.UsageError(f"{path.name} is a PDF: give --birth-name, --given, "
                                       "--gender and --birth-date to wrap it in a CDA N1")
            pdf = path.read_bytes()
            digest = hashlib.sha256(pdf).hexdigest()
            cda = n1_document(patient, birth_name=birth_name, given=given, gender=gender,
                              birth_date=birth_date, content=pdf, title=path.stem,
                              document_id=f"2.25.{int(digest[:32], 16)}",
                              when=datetime.fromtimestamp(int(path.stat().st_mtime), tz=UTC))
            items.append(BulkItem(path.name, FeedDocument.from_cda(cda), source=pdf))
    return items


async def _run(client: AsyncDmpClient, patient: InsIdentifier, items: list[BulkItem],
               journal: FeedJournal, concurrency: int, max_rate: float | None) -> BulkReport:
    with click.progressbar(length=len(items), label="feeding", show_pos=True) as bar:
        def done(_item: BulkItem, _outcome: str) -> None:
            bar.update(1)

        try:
            return await feed_many(client, patient, items, journal, concurrency=concurrency,
                                   max_rate=max_rate, on_done=done)
        finally:
            await client.aclose()


@click.command(name="feed")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--patient", required=True,
              help="The patient's INS matricule (or CX <matricule>^^^&<OID>&ISO^NH).")
@click.option("--oid", default="1.2.250.1.213.1.4.10", show_default=True,
              help="The INS authority OID when --patient is a bare matricule (test OID).")
@click.option("--local", "local_folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path(".dmpkit-local"), show_default=True,
              help="Folder of the local SI DMP (test PKI and database), created if absent.")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Submissions in flight at once.")
@click.option("--max-rate", default=DEFAULT_MAX_RATE, show_default=True, type=float,
              help="Submissions started per second at most (REFERENCE §10.4: < 5); 0: none.")
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path),
              help=f"The journal file (default: FOLDER/{JOURNAL_NAME}).")
@click.option("--birth-name", help="Nom de naissance, to wrap PDFs in CDA N1.")
@click.option("--given", help="Premier prénom, to wrap PDFs.")
@click.option("--gender", type=click.Choice(["F", "M", "U"]), help="Sexe, to wrap PDFs.")
@click.option("--birth-date", type=click.DateTime(["%Y-%m-%d"]),
              help="Date de naissance (YYYY-MM-DD), to wrap PDFs.")
@click.option("--schematron/--no-schematron", default=True, show_default=True,
              help="Run the CI-SIS schematrons on each CDA before sending (else XSD only).")
def feed(folder: Path, patient: str, oid: str, local_folder: Path, concurrency: int,
         max_rate: float, journal_path: Path | None, birth_name: str | None, given: str | None,
         gender: str | None, birth_date: datetime | None, schematron: bool) -> None:
    """Feed every CDA (*.xml) and PDF (*.pdf) of FOLDER to the patient's DMP (TD2.1)."""
    from dmpkit.local import LocalDmp

    ins = _patient(patient, oid)
    try:
        items = load_items(folder, ins, birth_name=birth_name, given=given, gender=gender,
                           birth_date=birth_date.date() if birth_date else None)
    except DmpError as error:
        raise click.ClickException(str(error)) from error
    if not items:
        raise click.ClickException(f"no *.xml or *.pdf document in {folder}")
    journal = FeedJournal(journal_path or folder / JOURNAL_NAME)
    settings = ClientSettings() if schematron else ClientSettings(cda_layers=("xsd",))
    local = LocalDmp(local_folder, settings=settings)
    try:
        report = asyncio.run(_run(local.async_client(), ins, items, journal, concurrency,
                                  max_rate or None))
    except DmpkitError as error:
        raise click.ClickException(str(error)) from error
    finally:
        local.close()
    rate = len(report.sent) / report.seconds if report.seconds else 0.0
    click.echo(f"sent {len(report.sent)}, already done {len(report.skipped)}, "
               f"failed {len(report.failed)} ({rate:.1f} documents/s)")
    for name, reason in sorted(report.failed.items()):
        click.echo(f"  {name}: {reason}", err=True)
    if report.failed:
        raise SystemExit(1)
