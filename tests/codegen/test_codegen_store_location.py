"""Where the spec store is: --specs > DMPKIT_SPECS > XDG_CACHE_HOME > ~/.cache, the same
default for codegen and the runtime (which do not import each other)."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen.paths import default_store_dir, resolve_store_dir
from dmpkit.specstore import spec_store_dir


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DMPKIT_SPECS", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    return tmp_path / "home"


def test_default_is_the_user_cache(home: Path) -> None:
    assert default_store_dir() == home / ".cache" / "dmpkit" / "specs"
    assert spec_store_dir() == default_store_dir()


def test_xdg_cache_home_moves_the_default(home: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_store_dir() == tmp_path / "xdg" / "dmpkit" / "specs"
    assert spec_store_dir() == default_store_dir()


def test_environment_variable_beats_xdg(home: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("DMPKIT_SPECS", str(tmp_path / "explicit"))
    assert default_store_dir() == tmp_path / "explicit"
    assert spec_store_dir() == default_store_dir()


def test_tilde_in_the_environment_variable_is_expanded(home: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DMPKIT_SPECS", "~/specs")
    assert default_store_dir() == home / "specs" == spec_store_dir()


def test_option_beats_everything(home: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DMPKIT_SPECS", str(tmp_path / "explicit"))
    assert resolve_store_dir(tmp_path / "option") == tmp_path / "option"
    assert resolve_store_dir(None) == tmp_path / "explicit"
