"""The compiler and the runtime stay apart: src/dmpkit never imports codegen, and codegen
never imports dmpkit (generated/ is the only thing they share)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codegen.paths import REPO_ROOT

IMPORT = "^\\s*(?:from|import)\\s+{}\\b"


def _importers(folder: Path, module: str) -> list[str]:
    pattern = re.compile(IMPORT.format(re.escape(module)), re.MULTILINE)
    return sorted(str(p.relative_to(REPO_ROOT)) for p in folder.rglob("*.py")
                  if pattern.search(p.read_text(encoding="utf-8")))


@pytest.mark.parametrize(("folder", "forbidden"), [("src", "codegen"), ("codegen", "dmpkit")])
def test_no_import_across_the_line(folder: str, forbidden: str) -> None:
    assert (REPO_ROOT / folder).is_dir()
    assert _importers(REPO_ROOT / folder, forbidden) == []
