"""``python -m codegen check``: regenerate into a temporary folder and compare with the
committed ``generated/dmpkit_bindings`` (CI runs it; drift fails)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from codegen.generators import Generator, generate_into

IGNORED_PARTS = frozenset({"__pycache__"})
IGNORED_SUFFIXES = (".pyc",)


@dataclass(slots=True)
class TreeDifference:
    """Files that differ between the generated and the committed tree (POSIX paths).

    Attributes:
        added: generated but not committed.
        removed: committed but no longer generated.
        changed: in both, with different bytes.
    """

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def lines(self) -> list[str]:
        """One line per differing file, e.g. ``changed: svs/svs.py``."""
        return ([f"added: {p}" for p in self.added] + [f"removed: {p}" for p in self.removed]
                + [f"changed: {p}" for p in self.changed])


def tree_files(root: Path) -> dict[str, Path]:
    """Files of ``root`` by POSIX relative path, without caches."""
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not IGNORED_PARTS.intersection(path.relative_to(root).parts)
        and not path.name.endswith(IGNORED_SUFFIXES)
    }


def compare_trees(generated: Path, committed: Path) -> TreeDifference:
    """How ``committed`` differs from ``generated``."""
    new, old = tree_files(generated), tree_files(committed)
    return TreeDifference(
        added=sorted(new.keys() - old.keys()),
        removed=sorted(old.keys() - new.keys()),
        changed=sorted(p for p in new.keys() & old.keys()
                       if new[p].read_bytes() != old[p].read_bytes()),
    )


def check_generated(store: Path, committed: Path, generators: list[Generator]) -> TreeDifference:
    """Run the generators into a temporary folder and compare with ``committed``."""
    with tempfile.TemporaryDirectory(prefix="dmpkit-check-") as temporary:
        out_root = Path(temporary) / committed.name
        generate_into(store, out_root, generators)
        return compare_trees(out_root, committed)
