"""Fixtures of the simulator tests: one test PKI per session, a fresh seeded server per test."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dmpkit.pki import TestPki, generate_test_pki, write_pki
from dmpkit.simulator import Simulator, create_app
from dmpkit.simulator.server import build_server
from dmpkit.simulator.testing import SimClient, client_cert_pem
from dmpkit.transport import asgi_transport
from tests.simulator.helpers import BASE_URL, free_port


@pytest.fixture(scope="session")
def sim_pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A test PKI written once per session (the ``dmpkit pki init`` layout)."""
    folder = tmp_path_factory.mktemp("sim-pki")
    write_pki(generate_test_pki(deterministic=False), folder, p12_password=b"dmpkit")
    return folder


@pytest.fixture(scope="session")
def sim_pki(sim_pki_dir: Path) -> TestPki:
    """The session's test PKI."""
    from dmpkit.pki import load_pki

    return load_pki(sim_pki_dir)


@pytest.fixture
def simulator(sim_pki: TestPki) -> Simulator:
    """A fresh seeded simulator on an in-memory database."""
    return create_app(pki=sim_pki)


@pytest.fixture
def client(simulator: Simulator, sim_pki: TestPki) -> Iterator[SimClient]:
    """A signed-VIHF client talking to the simulator in-process as the test structure."""
    transport = asgi_transport(simulator, client_cert_pem=client_cert_pem(sim_pki))
    with httpx.Client(transport=transport, base_url=BASE_URL) as http:
        yield SimClient.for_pki(sim_pki, http)


@pytest.fixture
def https_server(sim_pki_dir: Path, tmp_path: Path) -> Iterator[tuple[str, Simulator]]:
    """A running server on loopback; yields its base URL and the simulator."""
    port = free_port()
    server, simulator = build_server(pki_dir=sim_pki_dir, db_path=tmp_path / "dmp.sqlite",
                                     port=port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"https://127.0.0.1:{port}", simulator
    server.should_exit = True
    thread.join(timeout=10)


