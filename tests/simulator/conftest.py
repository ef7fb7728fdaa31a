"""Fixtures of the simulator tests: one test PKI per session, a fresh seeded server per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dmpkit.pki import TestPki, generate_test_pki, write_pki
from dmpkit.simulator import Simulator, create_app
from dmpkit.simulator.testing import SimClient, client_cert_pem
from dmpkit.transport import asgi_transport

BASE_URL = "https://localhost"


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
