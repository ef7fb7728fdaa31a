"""Fixtures of the client tests: a test PKI per session, a fresh local SI DMP per test.

``dmp`` is a :class:`~dmpkit.client.DmpClient` talking in-process to the simulator as
Dr Jeanne DMPKIT-TEST (seed professional 899900077985) authenticated with her CPS card
(direct authentication), which the functional rights need for consultation and masking.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from dmpkit.client import DmpClient
from dmpkit.pki import TestPki, generate_test_pki
from dmpkit.simulator import Simulator, create_app
from tests.client.helpers import DIRECT, make_client


@pytest.fixture(scope="session")
def pki() -> TestPki:
    """The session's test PKI (random keys: fast, and nothing here depends on the bytes)."""
    return generate_test_pki(deterministic=False)


@pytest.fixture
def simulator(pki: TestPki) -> Simulator:
    """A fresh seeded local SI DMP on an in-memory database."""
    return create_app(pki=pki)


@pytest.fixture
def dmp(simulator: Simulator, pki: TestPki) -> Iterator[DmpClient]:
    """The client of Dr Jeanne DMPKIT-TEST (direct CPS authentication)."""
    with make_client(simulator, pki) as client:
        yield client


@pytest.fixture
def as_professional(simulator: Simulator, pki: TestPki) -> Iterator[object]:
    """A factory of clients for other seed professionals (``as_professional(id, name)``)."""
    opened: list[DmpClient] = []

    def factory(name_id: str, subject: str, **changes: object) -> DmpClient:
        client = make_client(simulator, pki, replace(DIRECT, name_id=name_id,
                                                     subject_id=subject, **changes))
        opened.append(client)
        return client

    yield factory
    for client in opened:
        client.close()


@pytest.fixture(scope="session")
def schema_store(tmp_path_factory: pytest.TempPathFactory, spec_store: Path) -> Path:
    """A spec store with the public IHE tree and this checkout's DMP schemas."""
    repo = Path(__file__).resolve().parents[2]
    root = tmp_path_factory.mktemp("store")
    (root / "dmp").mkdir()
    os.symlink(spec_store / "ihe-iti", root / "ihe-iti", target_is_directory=True)
    os.symlink(repo / "specs" / "dmp" / "schemas", root / "dmp" / "schemas",
               target_is_directory=True)
    return root
