"""Where codegen finds the project, the spec store and the local copy of the public specs.

The runtime (``dmpkit.specstore``) computes the same default store on its own, because
the runtime never imports ``codegen``; a test keeps the two in agreement.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SPECS_DIR = REPO_ROOT / "specs"
GENERATED_ROOT = REPO_ROOT / "generated" / "dmpkit_bindings"
# The shared, read-only public spec set sits beside the checkout on the project machines.
DEFAULT_LOCAL_SOURCE = REPO_ROOT.parent / "shared" / "specs"
STORE_ENV = "DMPKIT_SPECS"


def default_store_dir() -> Path:
    """The spec store when no ``--specs`` is given: ``$DMPKIT_SPECS``, else the user cache.

    Returns:
        ``$DMPKIT_SPECS`` if set, else ``$XDG_CACHE_HOME/dmpkit/specs``, else
        ``~/.cache/dmpkit/specs``.
    """
    explicit = os.environ.get(STORE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    cache_root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_root) / "dmpkit" / "specs"


def resolve_store_dir(option: Path | None) -> Path:
    """The store to use: the ``--specs`` option first, then :func:`default_store_dir`."""
    return option.expanduser() if option is not None else default_store_dir()


def default_local_source() -> Path | None:
    """The shared public spec folder beside the checkout, or None when it is absent."""
    return DEFAULT_LOCAL_SOURCE if DEFAULT_LOCAL_SOURCE.is_dir() else None
