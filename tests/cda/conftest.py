"""Fixtures of the CDA tests: the example documents and a once-per-session header compile."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmpkit.cda.schematron.runner import CompiledSchematron, compile_schematron
from dmpkit.cda.schematron.table import load_table

EXAMPLES = "examples/cda"


@pytest.fixture(scope="session")
def examples_dir(spec_store: Path) -> Path:
    """The 18 ANS example CDA documents."""
    return spec_store / EXAMPLES


@pytest.fixture(scope="session")
def header_schematron(spec_store: Path) -> CompiledSchematron:
    """The CI-SIS header schematron, compiled once per session (XSLT from the disk cache)."""
    return compile_schematron(load_table().header, store=spec_store)
