"""The DMP client: bulk-feed throughput and the client's own overhead per call.

    .venv/bin/python bench/bench_client.py [--documents 40] [--calls 50]

Everything runs in one process against the local SI DMP served in-process, so "server time" is
the time spent inside the ASGI application and "client overhead" everything else the call
costs (building the message, signing the VIHF, MTOM, parsing and checking the answer). Printed,
all measured in this run (never asserted):

1. bulk feed: documents per second with 1 and 8 submissions in flight (one TD2.1 per
   document, CDA checked against the XSD only, no rate limit), and the 8/1 ratio, with the
   server in-process and over HTTPS with mutual TLS on loopback (uvicorn, same process);
2. per transaction (TD0.2, TD3.1, TD2.1, TD3.2): median client time, median server time, and
   client overhead as a ratio to the server's time.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import date
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "src"))

from dmpkit.client import ClientSettings, FeedDocument  # noqa: E402
from dmpkit.client.bulk import BulkItem, FeedJournal, feed_many  # noqa: E402
from dmpkit.local import LocalDmp, n1_document  # noqa: E402
from dmpkit.vihf import InsIdentifier  # noqa: E402

PATIENT = InsIdentifier("279035121518989")  # seed patient DMPKIT-ACTIF
FAST = ClientSettings(cda_layers=("xsd",))


class TimedApp:
    """Wraps the simulator and adds up the time spent inside it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seconds: list[float] = []

    async def __call__(self, scope: MutableMapping[str, Any],
                       receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
                       send: Callable[[MutableMapping[str, Any]], Awaitable[None]]) -> None:
        started = time.perf_counter()
        await self.app(scope, receive, send)
        self.seconds.append(time.perf_counter() - started)


def documents(count: int, offset: int) -> list[BulkItem]:
    return [BulkItem(f"cr{n}.xml", FeedDocument.from_cda(n1_document(
        PATIENT, birth_name="DMPKIT-ACTIF", given="Claire", gender="F",
        birth_date=date(1979, 3, 12), title=f"CR {n}")))
        for n in range(offset, offset + count)]


def bulk(local: LocalDmp, count: int, concurrency: int, offset: int, folder: Path) -> float:
    items = documents(count, offset)
    client = local.async_client()

    async def run() -> float:
        journal = FeedJournal(folder / f"journal-{concurrency}.jsonl")
        report = await feed_many(client, PATIENT, items, journal, concurrency=concurrency,
                                 max_rate=None)
        await client.aclose()
        assert len(report.sent) == count, report.failed
        return count / report.seconds

    return asyncio.run(run())


def per_call(local: LocalDmp, timed: TimedApp, calls: int) -> list[tuple[str, float, float]]:
    client = local.client()
    client.http.close()
    # same client, its transport now through the timing wrapper
    from dmpkit.transport import SoapHttpClient, TransportConfig, asgi_transport

    client.http = SoapHttpClient(TransportConfig("https://localhost"), transport=asgi_transport(
        timed, client_cert_pem=local.client_certificate()))
    feed_items = documents(calls, 10_000)
    entry = client.search_documents(PATIENT).metadata.documents[0]
    cases: list[tuple[str, Callable[[int], object]]] = [
        ("TD0.2 test_existence", lambda i: client.test_existence(PATIENT)),
        ("TD3.1 search_documents", lambda i: client.search_documents(PATIENT)),
        ("TD2.1 submit_documents", lambda i: client.submit_documents(
            PATIENT, [feed_items[i].document])),
        ("TD3.2 retrieve_documents", lambda i: client.retrieve_documents(PATIENT, [entry])),
    ]
    rows = []
    for name, call in cases:
        totals, servers = [], []
        for index in range(calls):
            timed.seconds.clear()
            started = time.perf_counter()
            call(index)
            totals.append(time.perf_counter() - started)
            servers.append(sum(timed.seconds))
        rows.append((name, statistics.median(totals), statistics.median(servers)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--calls", type=int, default=50)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, LocalDmp(Path(folder) / "dmp",
                                                            settings=FAST) as local:
        timed = TimedApp(local.app)
        bulk(local, 4, 1, 90_000, Path(folder))  # warm-up: imports, schema compilation
        one = bulk(local, options.documents, 1, 0, Path(folder))
        eight = bulk(local, options.documents, 8, options.documents, Path(folder))
        print(f"bulk feed, {options.documents} documents, one TD2.1 each")
        print(f"  in-process, 1 in flight : {one:6.1f} documents/s")
        print(f"  in-process, 8 in flight : {eight:6.1f} documents/s  (x{eight / one:.2f})")
        with LocalDmp(Path(folder) / "https", settings=FAST, https=True) as remote:
            bulk(remote, 4, 1, 90_000, Path(folder) / "https")
            one = bulk(remote, options.documents, 1, 0, Path(folder) / "https")
            eight = bulk(remote, options.documents, 8, options.documents, Path(folder) / "https")
        print(f"  HTTPS,      1 in flight : {one:6.1f} documents/s")
        print(f"  HTTPS,      8 in flight : {eight:6.1f} documents/s  (x{eight / one:.2f})")
        print()
        print(f"per call, median of {options.calls}: client total, server, "
              "client overhead / server")
        for name, total, server in per_call(local, timed, options.calls):
            overhead = total - server
            print(f"  {name:26s} {total * 1000:7.2f} ms {server * 1000:7.2f} ms  "
                  f"overhead/server = {overhead / server:5.2f}")


if __name__ == "__main__":
    main()
