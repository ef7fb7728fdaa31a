"""Bulk feeding: concurrency, the journal; a re-run after an interruption sends nothing twice."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dmpkit.cli import main
from dmpkit.client import AsyncDmpClient, FeedDocument, FeedResult, VihfFactory
from dmpkit.client.bulk import BulkItem, FeedJournal, feed_many
from dmpkit.local import n1_document
from dmpkit.pki import TestPki
from dmpkit.simulator import Simulator
from dmpkit.transport import AsyncSoapHttpClient, TransportConfig, asgi_transport
from dmpkit.vihf import InsIdentifier, VihfSigner
from tests.client.helpers import ACTIVE, BASE_URL, DIRECT, FAST, client_pem

FEED_ACTION = b"ProvideAndRegisterDocumentSet-b"


class CountingApp:
    """The simulator, counting the ITI-41 submissions that reach it."""

    def __init__(self, app: Simulator) -> None:
        self.app = app
        self.submissions = 0

    async def __call__(self, scope: MutableMapping[str, Any],
                       receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
                       send: Callable[[MutableMapping[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] == "http" and any(FEED_ACTION in v for _, v in scope["headers"]):
            self.submissions += 1
        await self.app(scope, receive, send)


class CrashingClient(AsyncDmpClient):
    """Dies right after the server registered its ``crash_after``-th submission."""

    crash_after = 2
    sent = 0

    async def submit_documents(self, patient: InsIdentifier,
                               documents: Sequence[FeedDocument], **options: Any) -> FeedResult:
        result = await super().submit_documents(patient, documents, **options)
        self.sent += 1
        if self.sent == self.crash_after:
            raise RuntimeError("process killed before the journal was written")
        return result


def documents(count: int) -> list[BulkItem]:
    return [BulkItem(f"cr{n}.xml", FeedDocument.from_cda(n1_document(
        ACTIVE, birth_name="DMPKIT-ACTIF", given="Claire", gender="F",
        birth_date=date(1979, 3, 12), title=f"CR {n}"))) for n in range(count)]


def async_client(app: object, pki: TestPki, kind: type[AsyncDmpClient] = AsyncDmpClient
                 ) -> AsyncDmpClient:
    http = AsyncSoapHttpClient(TransportConfig(BASE_URL), transport=asgi_transport(
        app, client_cert_pem=client_pem(pki)))  # type: ignore[arg-type]
    return kind(http, VihfFactory(VihfSigner.from_certified_key(pki.sign), DIRECT),
                settings=FAST)


async def test_rerun_after_interruption_sends_nothing_twice(
        simulator: Simulator, pki: TestPki, tmp_path: Path) -> None:
    app = CountingApp(simulator)
    items = documents(4)
    journal_path = tmp_path / "journal.jsonl"
    crashing = async_client(app, pki, CrashingClient)
    with pytest.raises(RuntimeError, match="killed"):
        await feed_many(crashing, ACTIVE, items, FeedJournal(journal_path), max_rate=None)
    await crashing.aclose()
    sent_before_restart = app.submissions
    journal = FeedJournal(journal_path)
    # cr1 reached the DMP but its "done" was never written
    assert [journal.status(i.key) for i in items[:2]] == ["done", "sending"]

    client = async_client(app, pki)
    report = await feed_many(client, ACTIVE, items, journal, concurrency=2, max_rate=None)
    assert {"cr0.xml", "cr1.xml"} <= set(report.skipped)
    assert sorted(report.sent + report.skipped) == [i.name for i in items]
    assert len(report.sent) == 4 - sent_before_restart
    assert app.submissions == 4  # one per document, over both runs
    again = await feed_many(client, ACTIVE, items, FeedJournal(journal_path), max_rate=None)
    assert again.sent == [] and len(again.skipped) == 4
    assert app.submissions == 4
    for item in items:
        found = await client.search_documents(ACTIVE, "GetDocuments",
                                              unique_id=[item.document.entry.unique_id])
        assert len(found.metadata.documents) == 1
    await client.aclose()


async def test_concurrent_feed_with_a_refusal(simulator: Simulator, pki: TestPki,
                                              tmp_path: Path) -> None:
    items = documents(3)
    duplicate = BulkItem("copy.xml", FeedDocument(items[0].document.content,
                                                  items[0].document.entry), source=b"other")
    client = async_client(simulator, pki)
    report = await feed_many(client, ACTIVE, [*items, duplicate],
                             FeedJournal(tmp_path / "j.jsonl"), concurrency=4, max_rate=None)
    await client.aclose()
    assert len(report.sent) + len(report.failed) + len(report.skipped) == 4
    assert len(report.sent) == 3
    assert next(iter(report.failed.values())).startswith("XDSDuplicateUniqueIdInRegistry")


async def test_rate_limit_spaces_the_submissions(simulator: Simulator, pki: TestPki,
                                                 tmp_path: Path) -> None:
    client = async_client(simulator, pki)
    loop = asyncio.get_running_loop()
    started = loop.time()
    report = await feed_many(client, ACTIVE, documents(3), FeedJournal(tmp_path / "j.jsonl"),
                             concurrency=3, max_rate=20.0)
    await client.aclose()
    assert len(report.sent) == 3
    assert loop.time() - started >= 2 / 20.0


def test_cli_feed_twice(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for item in documents(2):
        (folder / item.name).write_bytes(item.document.content)
    arguments = ["feed", str(folder), "--patient", ACTIVE.matricule, "--local",
                 str(tmp_path / "dmp"), "--no-schematron", "--max-rate", "0"]
    first = CliRunner().invoke(main, arguments)
    assert first.exit_code == 0, first.output
    assert "sent 2, already done 0, failed 0" in first.output
    second = CliRunner().invoke(main, arguments)
    assert second.exit_code == 0, second.output
    assert "sent 0, already done 2, failed 0" in second.output
