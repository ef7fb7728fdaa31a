"""SIGKILL the server during ITI-41 submissions, repeatedly: nothing partial, nothing acked lost."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from dmpkit.pki import TestPki
from dmpkit.simulator.seed import load_seed
from dmpkit.simulator.server import server_files
from dmpkit.simulator.storage import SqliteStorage
from dmpkit.simulator.testing import SimClient, provide_and_register
from tests.simulator.helpers import body_of, free_port

KILLS = 3
INS = load_seed().patient("empty").ins


def _start(db: Path, pki_dir: Path, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "from dmpkit.cli import main; main()", "serve",
               "--port", str(port), "--db", str(db), "--pki", str(pki_dir)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    pytest.fail("the server did not start")


@pytest.mark.slow
def test_sigkill_during_submissions_keeps_every_acknowledged_document(
        sim_pki_dir: Path, sim_pki: TestPki, tmp_path: Path) -> None:
    db = tmp_path / "crash.sqlite"
    files = server_files(sim_pki_dir)
    context = ssl.create_default_context(cafile=str(files.ca))
    context.load_cert_chain(str(files.client_certificate), str(files.client_key))
    acknowledged: list[str] = []
    sent = 0
    for kill in range(KILLS):
        port = free_port()
        process = _start(db, sim_pki_dir, port)
        stop = threading.Event()

        def feed(kill: int = kill, port: int = port, stop: threading.Event = stop) -> None:
            nonlocal sent
            with httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=context,
                              timeout=30) as http:
                client = SimClient.for_pki(sim_pki, http)
                number = 0
                while not stop.is_set():
                    prefix = f"1.2.250.1.999.6.{kill}.{number}"
                    number += 1
                    body = provide_and_register(sim_pki, INS, [("crash a", b"a"),
                                                               ("crash b", b"b")],
                                                unique_prefix=prefix)
                    sent += 1
                    try:
                        reply = client.call("TD2.1", body, ins=INS)
                    except httpx.HTTPError:
                        return  # the server died mid-request: not acknowledged
                    if body_of(reply).get("status", "").endswith(":Success"):
                        acknowledged.append(prefix)

        thread = threading.Thread(target=feed)
        before = len(acknowledged)
        thread.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < before + 2 + kill and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)  # in the middle of the next submission
        process.wait(timeout=10)
        stop.set()
        thread.join(timeout=30)
    assert len(acknowledged) >= KILLS * 2
    storage = SqliteStorage(db)
    sets = {s.entry_uuid: s for s in storage.submission_sets(INS)}
    documents = [d for d in storage.documents(INS) if d.submission_set]
    for prefix in acknowledged:
        assert len(storage.documents_by_unique_id(f"{prefix}.1")) == 1
        assert len(storage.documents_by_unique_id(f"{prefix}.2")) == 1
    # no partial submission: every stored set has its two documents and its signature
    per_set: dict[str, int] = {}
    for document in documents:
        assert document.submission_set in sets
        per_set[document.submission_set] = per_set.get(document.submission_set, 0) + 1
    assert set(per_set.values()) == {3} and len(per_set) == len(sets)
    assert len(sets) >= len(acknowledged) and len(sets) <= sent
    print(f"crash: {KILLS} SIGKILLs, {sent} submissions sent, {len(acknowledged)} acknowledged, "
          f"{len(sets)} stored whole, 0 partial")
