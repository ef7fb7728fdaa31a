"""Fixtures: the deterministic test PKI (built once) and the test clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dmpkit import testmode
from dmpkit.pki import TestPki, TrustStore, generate_test_pki

CLOCK = testmode.DEFAULT_TEST_CLOCK


@pytest.fixture(scope="session")
def pki(pytestconfig: pytest.Config) -> TestPki:
    """The test PKI, seeded, dated from the test clock (same bytes in every run).

    Seeded keys are kept in pytest's cache folder so the prime search runs once per checkout.
    """
    with pytest.MonkeyPatch.context() as patch:
        assert pytestconfig.cache is not None
        patch.setenv("DMPKIT_TEST_KEY_CACHE", str(pytestconfig.cache.mkdir("dmpkit-test-keys")))
        saved = testmode._state  # restored exactly: other suites may run in env test mode
        testmode.enable(seed=1, at=CLOCK)
        try:
            return generate_test_pki(deterministic=True)
        finally:
            testmode._state = saved


@pytest.fixture
def trust(pki: TestPki) -> TrustStore:
    """Trusts the test root only; the intermediate is a known, untrusted link."""
    return TrustStore([pki.root.certificate], [pki.intermediate.certificate])


@pytest.fixture(autouse=True)
def _test_clock_and_specs(spec_store: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DMPKIT_SPECS", str(spec_store))
    saved = testmode._state  # restored exactly: other suites may run in env test mode
    testmode.enable(seed=1, at=CLOCK)
    yield
    testmode._state = saved
