"""Fixtures of the value-set tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def nos_dir(spec_store: Path) -> Path:
    """The ``nos/`` folder of the spec store."""
    return spec_store / "nos"
