"""The living documentation stays wired: README, CI entry point, notebooks, nav, API reference.

The strict site build itself runs in ``./scripts/test``: it also fails on a page missing
from the nav or a broken link, so those are not checked again here.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import stat
import warnings
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

import dmpkit
from dmpkit.specstore import spec_store_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
# Modules that are not library API: the command line is documented by its --help.
NOT_IN_REFERENCE = {"dmpkit.cli"}


def _mkdocs_config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((REPO_ROOT / "site" / "mkdocs.yml").read_text())
    return config


def _nav_targets(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [target for item in node for target in _nav_targets(item)]
    if isinstance(node, dict):
        return [target for value in node.values() for target in _nav_targets(value)]
    return []


def _readme_commands() -> list[str]:
    readme = (REPO_ROOT / "README.md").read_text()
    first_block = re.search(r"```bash\n(.*?)```", readme, re.DOTALL)
    assert first_block is not None, "README.md has no bash block"
    before = readme[: first_block.start()].strip().splitlines()
    assert before == ["# dmpkit"], "the two commands must come right after the title"
    return [line.strip() for line in first_block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_the_demo_and_test_commands() -> None:
    assert _readme_commands() == ["./scripts/demo", "./scripts/test"]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci_run = REPO_ROOT / ".ci" / "run"
    last_command = [
        line.strip()
        for line in ci_run.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ][-1]
    assert last_command == f"exec {_readme_commands()[1]}"


@pytest.mark.parametrize("script", [".ci/run", "scripts/demo", "scripts/test"])
def test_entry_scripts_are_executable_and_stop_at_the_first_error(script: str) -> None:
    path = REPO_ROOT / script
    assert path.stat().st_mode & stat.S_IXUSR, f"{script} is not executable"
    lines = path.read_text().splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in lines


def test_the_test_command_never_loosens_notebook_comparison() -> None:
    lines = (REPO_ROOT / "scripts" / "test").read_text().splitlines()
    script = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    assert "--nbval " in script
    assert "--nbval-lax" not in script
    assert "mkdocs build --strict" in script


def test_getting_started_lists_the_commands_the_test_script_runs() -> None:
    page = (REPO_ROOT / "site" / "docs" / "getting-started.md").read_text()
    section = page.split("## Every check", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\|[^|]+\| `([^`]+)`", section, re.MULTILINE)
    script = (REPO_ROOT / "scripts" / "test").read_text().replace("\\\n", " ")
    run = {" ".join(line.split()) for line in script.splitlines()}
    assert len(listed) >= 6
    assert [command for command in listed if command not in run] == []


def test_there_are_notebooks() -> None:
    names = [notebook.name for notebook in NOTEBOOKS]
    assert any(name.startswith("00_") for name in names)
    assert any(name.startswith("01_") for name in names)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_every_notebook_is_in_the_site_nav_and_the_folder_readme(notebook: Path) -> None:
    assert f"notebooks/{notebook.name}" in _nav_targets(_mkdocs_config()["nav"])
    readme = (REPO_ROOT / "notebooks" / "README.md").read_text()
    assert f"| `{notebook.name}` |" in readme


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_every_notebook_starts_in_test_mode_and_stores_machine_free_outputs(
    notebook: Path,
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        content = nbformat.read(str(notebook), as_version=4)
    problems = sorted({str(warning.message).split(".")[0] for warning in caught})
    assert not problems, f"re-save the notebook with current nbformat: {problems}"
    code_cells = [cell for cell in content.cells if cell.cell_type == "code"]
    assert code_cells, "a notebook without code is a page: put it in site/docs"
    assert "testmode.enable(" in code_cells[0].source
    assert all(cell.execution_count is not None for cell in code_cells), "not executed"
    assert any(cell.outputs for cell in code_cells), "no stored outputs"
    stored = "\n".join(str(output) for cell in code_cells for output in cell.outputs)
    for local in (REPO_ROOT, Path.home(), spec_store_dir()):
        assert str(local) not in stored, f"an output shows the local path {local}"


def test_api_reference_modules_exist_and_are_documented() -> None:
    modules = _mkdocs_config()["extra"]["api_reference"]
    assert len(modules) == len(set(modules)), "a module is listed twice"
    for name in modules:
        module = importlib.import_module(name)
        assert module.__doc__, f"{name} has no module docstring"


def test_api_reference_covers_every_public_module() -> None:
    listed = set(_mkdocs_config()["extra"]["api_reference"])
    public = {
        info.name
        for info in pkgutil.iter_modules(dmpkit.__path__, prefix="dmpkit.")
        if not info.name.rsplit(".", 1)[1].startswith("_")
    }
    missing = sorted(public - listed - NOT_IN_REFERENCE)
    assert not missing, f"add {missing} to extra.api_reference in site/mkdocs.yml"

