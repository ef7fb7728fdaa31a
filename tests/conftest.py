"""Fixtures shared by the whole test suite. Keep each one small; add, do not rewrite.

- ``repo_root``: the checkout's root folder.
- ``spec_store``: the public spec files: the spec store ``python -m codegen fetch`` fills
  (``$DMPKIT_SPECS`` or the user cache, as the runtime sees it), else the read-only
  ``../shared/specs`` beside the checkout.
- Under ``CI`` hypothesis runs derandomized (the same examples on every run), so a red CI
  always reproduces; developer runs keep exploring new examples.
- Tests marked ``browser`` are skipped, with the reason, when no Chromium is installed
  (``.ci/run`` installs one); ``chromium_path`` gives the executable to those that run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from dmpkit.specstore import spec_store_dir

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _find_chromium() is not None:
        return
    skip = pytest.mark.skip(reason="no Chromium installed (.ci/run installs the Debian package)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The root folder of the checkout."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def spec_store() -> Path:
    """The folder of public spec files the tests read (never written to)."""
    for folder in (spec_store_dir(), REPO_ROOT.parent / "shared" / "specs"):
        if (folder / "examples").is_dir():
            return folder
    pytest.fail("no spec files: run `python -m codegen fetch` (or set DMPKIT_SPECS)")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The Chromium executable (tests using it should also be marked ``browser``)."""
    found = _find_chromium()
    if found is None:
        pytest.skip("no Chromium installed (.ci/run installs the Debian package)")
    return found
