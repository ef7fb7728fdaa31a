"""Where the runtime finds the public specification files (schemas, schematrons, value sets).

The files are never committed: ``python -m codegen fetch`` fills a local *spec store*
whose layout mirrors the public spec set (``ihe-iti/…``, ``cda-ans/…``, ``nos/…``,
``examples/…``) plus the project's own reconstructed DMP schemas under ``dmp/schemas/``.
The store lives under the user's cache unless ``DMPKIT_SPECS`` names another folder.
(``codegen`` computes the same default on its own: the runtime never imports ``codegen``.)
"""

from __future__ import annotations

import os
from pathlib import Path

from dmpkit.errors import DmpkitError

__all__ = ["SpecStoreMissingError", "spec_path", "spec_store_dir"]


class SpecStoreMissingError(DmpkitError):
    """The spec store, or a file expected in it, is absent."""


def spec_store_dir() -> Path:
    """The spec store folder: ``$DMPKIT_SPECS``, else ``<user cache>/dmpkit/specs``."""
    explicit = os.environ.get("DMPKIT_SPECS")
    if explicit:
        return Path(explicit).expanduser()
    cache_root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_root) / "dmpkit" / "specs"


def spec_path(relative: str) -> Path:
    """The path of one file of the store, checked to exist.

    Raises:
        SpecStoreMissingError: the file is absent (the message says how to fill the store).
    """
    path = spec_store_dir() / relative
    if not path.exists():
        raise SpecStoreMissingError(
            f"{relative} is not in the spec store {spec_store_dir()}; "
            "run `python -m codegen fetch` (or set DMPKIT_SPECS)"
        )
    return path
