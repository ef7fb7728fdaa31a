"""The stamp each generated module carries: its source spec files and their sha256."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from codegen.integrity import sha256_hex


def source_stamp(store: Path, relative_paths: Iterable[str], comment: str = "# ") -> str:
    """Lines naming each source file (store-relative) with its sha256, sorted.

    Args:
        store: the spec store the generator read.
        relative_paths: the store-relative paths of the inputs of one module.
        comment: the line prefix (``"# "`` for Python).

    Returns:
        e.g. ``# source: ihe-iti/schema/IHE/SVS.xsd sha256=5f…\\n`` per file.
    """
    lines = [
        f"{comment}source: {path} sha256={sha256_hex((store / path).read_bytes())}"
        for path in sorted(set(relative_paths))
    ]
    return "\n".join(lines) + ("\n" if lines else "")
