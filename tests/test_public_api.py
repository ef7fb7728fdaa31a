"""The top-level public API: every advertised name resolves, and importing dmpkit stays light."""

from __future__ import annotations

import subprocess
import sys

import dmpkit


def test_all_lists_exactly_the_lazy_public_names() -> None:
    assert set(dmpkit.__all__) == {"__version__", *dmpkit._PUBLIC}


def test_every_public_name_resolves_to_the_object_of_its_module() -> None:
    import importlib

    for name, module in dmpkit._PUBLIC.items():
        assert getattr(dmpkit, name) is getattr(importlib.import_module(module), name)


def test_unknown_attribute_is_an_attribute_error() -> None:
    try:
        dmpkit.NoSuchThing  # noqa: B018
    except AttributeError as error:
        assert "NoSuchThing" in str(error)
    else:
        raise AssertionError("dmpkit.NoSuchThing resolved")


def test_import_dmpkit_loads_no_subpackage() -> None:
    code = "import sys, dmpkit; print(sorted(m for m in sys.modules if m.startswith('dmpkit')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "['dmpkit']"
