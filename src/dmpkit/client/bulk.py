"""Bulk feeding: many documents, one TD2.1 each, concurrently, with a resumable journal.

The journal (JSON lines, append-only, fsync'd) records ``sending`` before a submission and
``done`` (or ``failed``) after it, keyed by the SHA-256 of the document. A re-run skips what is
``done``; a document left ``sending`` (or ``failed``) by an earlier run is looked up on the
DMP by uniqueId (TD3.1 GetDocuments) before anything is sent, so nothing is submitted twice.
REFERENCE §10.4 asks for fewer than 5 feeding transactions per second per establishment and
software, and no unchanged re-sends: both are enforced here.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dmpkit import testmode
from dmpkit.client._async import AsyncDmpClient
from dmpkit.client.errors import DmpError
from dmpkit.client.feed import FeedDocument
from dmpkit.errors import DmpkitError
from dmpkit.metadata import ebrim_map as m
from dmpkit.vihf import InsIdentifier

__all__ = ["DEFAULT_MAX_RATE", "BulkItem", "BulkReport", "FeedJournal", "feed_many"]

# REFERENCE §10.4: under 5 feeding transactions per second per establishment + software.
DEFAULT_MAX_RATE = 4.0
_LIVE = (m.APPROVED, m.ARCHIVED, m.DEPRECATED)


@dataclass(frozen=True)
class BulkItem:
    """One document to feed, named for the journal and the progress display.

    Attributes:
        name: how the journal and the progress display name it (the file name).
        document: the document and its metadata.
        source: the bytes it was made from (e.g. a PDF wrapped in a CDA), when not the
            document itself: the journal key must not change when the CDA is rebuilt.
    """

    name: str
    document: FeedDocument
    source: bytes | None = None

    @property
    def key(self) -> str:
        """The journal key: the SHA-256 of the source bytes."""
        data = self.source if self.source is not None else self.document.content
        return hashlib.sha256(data).hexdigest()


@dataclass
class BulkReport:
    """What one run did.

    Attributes:
        sent: names of the documents submitted in this run.
        skipped: names already done in an earlier run (or found on the DMP).
        failed: name -> the DMP's code and text.
        seconds: wall time of the run.
    """

    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


class FeedJournal:
    """An append-only JSON-lines journal of a bulk feed (one event per line).

    Args:
        path: the journal file (created when absent).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.state: dict[str, dict[str, str]] = {}
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut by an interruption: its event did not happen
                self.state[event["key"]] = event

    def status(self, key: str) -> str | None:
        """``sending``, ``done``, ``failed`` or None (never seen)."""
        event = self.state.get(key)
        return None if event is None else event["event"]

    def record(self, key: str, name: str, event: str, **details: str) -> None:
        """Append one event and flush it to disk before returning."""
        entry = {"key": key, "name": name, "event": event,
                 "at": testmode.now().strftime("%Y%m%dT%H%M%SZ"), **details}
        self.state[key] = entry
        with self.path.open("a", encoding="utf-8") as journal:
            journal.write(json.dumps(entry, ensure_ascii=False) + "\n")
            journal.flush()
            os.fsync(journal.fileno())


class _RateLimiter:
    """At most ``rate`` starts per second (``None``: no limit)."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self.next_start = 0.0
        self.lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self.lock:
            now = time.monotonic()
            delay = self.next_start - now
            self.next_start = max(now, self.next_start) + self.interval
        if delay > 0:
            await asyncio.sleep(delay)


async def _already_registered(client: AsyncDmpClient, patient: InsIdentifier,
                              item: BulkItem) -> bool:
    unique_id = item.document.entry.unique_id
    if not unique_id:
        return False
    found = await client.search_documents(patient, "GetDocuments", unique_id=[unique_id])
    return any(d.availability_status in _LIVE for d in found.metadata.documents)


async def feed_many(
    client: AsyncDmpClient,
    patient: InsIdentifier,
    items: Sequence[BulkItem],
    journal: FeedJournal,
    *,
    concurrency: int = 1,
    max_rate: float | None = DEFAULT_MAX_RATE,
    on_done: Callable[[BulkItem, str], None] | None = None,
) -> BulkReport:
    """Feed every item not already done, ``concurrency`` submissions at a time.

    Args:
        client: the async DMP client.
        patient: the patient's INS.
        items: the documents.
        journal: the run's journal (resumes where an earlier run stopped).
        concurrency: submissions in flight at once.
        max_rate: submissions started per second at most (None: no limit).
        on_done: called with each item and its outcome (``sent``, ``skipped``, ``failed``).

    Returns:
        What was sent, skipped and refused.
    """
    report = BulkReport()
    started = time.perf_counter()
    gate = asyncio.Semaphore(max(1, concurrency))
    limiter = _RateLimiter(max_rate)

    async def one(item: BulkItem) -> None:
        key = item.key
        status = journal.status(key)
        async with gate:
            outcome = "skipped"
            try:
                if status == "done" or (status in ("sending", "failed")
                                         and await _already_registered(client, patient, item)):
                    if status != "done":
                        journal.record(key, item.name, "done", unique_id=item.document.entry
                                       .unique_id or "", found="on the DMP")
                    report.skipped.append(item.name)
                else:
                    await limiter.wait()
                    journal.record(key, item.name, "sending")
                    result = await client.submit_documents(patient, [item.document])
                    journal.record(key, item.name, "done",
                                   unique_id=result.document_unique_ids[0])
                    report.sent.append(item.name)
                    outcome = "sent"
            except DmpError as error:
                journal.record(key, item.name, "failed", code=error.code, text=error.text)
                report.failed[item.name] = f"{error.code}: {error.text}"
                outcome = "failed"
            except DmpkitError as error:  # transport: the next run looks the document up first
                journal.record(key, item.name, "failed", code=type(error).__name__,
                               text=str(error))
                report.failed[item.name] = f"{type(error).__name__}: {error}"
                outcome = "failed"
        if on_done is not None:
            on_done(item, outcome)

    tasks = [asyncio.ensure_future(one(item)) for item in items]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        # An unexpected failure (or a cancellation) stops the run: nothing more is sent.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    report.seconds = time.perf_counter() - started
    return report
