"""Fixtures of the metadata tests: a fresh conformant submission and its document bytes."""

from __future__ import annotations

import pytest
from metadata_samples import CONTENTS, dmp_submission

from dmpkit.metadata import XdsMetadata


@pytest.fixture
def conformant() -> XdsMetadata:
    """A fresh conformant submission (tests may break it)."""
    return dmp_submission()


@pytest.fixture
def documents() -> dict[str, bytes]:
    """The bytes of the conformant submission's documents, by DocumentEntry id."""
    return dict(CONTENTS)
