"""Where the simulator's data files are: ``specs/dmp/*.toml`` (checkout) or package data (wheel)."""

from __future__ import annotations

import importlib.resources
import tomllib
from pathlib import Path
from typing import Any

from dmpkit.errors import DmpkitError

__all__ = ["SimulatorDataError", "data_path", "load_toml"]


class SimulatorDataError(DmpkitError):
    """A data file of the simulator is missing or malformed."""


def data_path(name: str) -> Path:
    """The shipped ``specs/dmp/<name>`` (wheel package data first, then the source checkout).

    Raises:
        SimulatorDataError: neither copy exists.
    """
    packaged = importlib.resources.files("dmpkit").joinpath("_specs").joinpath("dmp").joinpath(name)
    if packaged.is_file():
        return Path(str(packaged))
    # src/dmpkit/simulator/data.py -> <repo>/specs/dmp/<name>
    checkout = Path(__file__).resolve().parents[3] / "specs" / "dmp" / name
    if checkout.is_file():
        return checkout
    raise SimulatorDataError(f"simulator data file {name} is missing (reinstall dmpkit)")


def load_toml(path: Path) -> dict[str, Any]:
    """Read a TOML data file and check its ``format`` is 1.

    Raises:
        SimulatorDataError: unreadable, invalid TOML or another format.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SimulatorDataError(f"{path}: {exc}") from None
    if data.get("format") != 1:
        raise SimulatorDataError(f"{path}: format must be 1, got {data.get('format')!r}")
    return data
