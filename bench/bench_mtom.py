"""Benchmark: MTOM encode and decode of 100 documents of 1 MB (issue item 12).

Prints throughput (MB/s) and the peak of Python allocations during each step divided by the
payload size (tracemalloc), all measured in this run. Run it on purpose:

    .venv/bin/python bench/bench_mtom.py [--documents 100] [--size-mb 1] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
import tracemalloc
from collections.abc import Callable
from typing import TypeVar

from dmpkit import mtom
from dmpkit.namespaces import SOAP12, XDSB, XOP

T = TypeVar("T")
MB = 1024 * 1024


def _root(cids: list[str]) -> bytes:
    documents = "".join(
        f'<Document id="Document{i:03d}"><xop:Include href="{mtom.href_for_cid(cid)}"/></Document>'
        for i, cid in enumerate(cids)
    )
    return (
        f'<s:Envelope xmlns:s="{SOAP12}"><s:Body><ProvideAndRegisterDocumentSetRequest '
        f'xmlns="{XDSB}" xmlns:xop="{XOP}">{documents}</ProvideAndRegisterDocumentSetRequest>'
        "</s:Body></s:Envelope>"
    ).encode()


def _measure(step: Callable[[], T], rounds: int) -> tuple[T, float, int]:
    """Best wall time over ``rounds`` and the peak traced allocation of one run."""
    best = float("inf")
    result: T | None = None
    for _ in range(rounds):
        started = time.perf_counter()
        result = step()
        best = min(best, time.perf_counter() - started)
        del result
    tracemalloc.start()
    result = step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, best, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--size-mb", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()

    size = int(arguments.size_mb * MB)
    payloads = [os.urandom(size) for _ in range(arguments.documents)]
    total = size * arguments.documents
    cids = [f"{i}.doc@bench" for i in range(arguments.documents)]
    parts = [mtom.MtomPart(c, "application/pdf", p) for c, p in zip(cids, payloads, strict=True)]
    root = _root(cids)
    print(f"payload: {arguments.documents} x {arguments.size_mb:g} MB = {total / MB:.0f} MB")

    message, t_chunks, m_chunks = _measure(
        lambda: mtom.encode(root, parts, action="urn:a"), arguments.rounds
    )
    body, t_join, m_join = _measure(lambda: message.body, arguments.rounds)
    decoded, t_decode, m_decode = _measure(
        lambda: mtom.decode(message.content_type, body), arguments.rounds
    )
    resolved, t_resolve, m_resolve = _measure(decoded.resolve, arguments.rounds)

    assert all(
        hashlib.sha256(resolved[c]).digest() == hashlib.sha256(p).digest()
        for c, p in zip(cids, payloads, strict=True)
    ), "round trip changed a payload"
    assert all(isinstance(v, memoryview) and v.obj is body for v in resolved.values())

    rows = [
        ("encode (chunks, zero-copy)", t_chunks, m_chunks),
        ("encode + join body (1 copy)", t_chunks + t_join, max(m_chunks, m_join)),
        ("decode (parse framing)", t_decode, m_decode),
        ("decode + resolve xop:Include", t_decode + t_resolve, max(m_decode, m_resolve)),
    ]
    print(f"{'step':32} {'MB/s':>10} {'peak/payload':>14}")
    for name, seconds, peak in rows:
        print(f"{name:32} {total / MB / seconds:10.0f} {peak / total:14.3f}")


if __name__ == "__main__":
    main()
