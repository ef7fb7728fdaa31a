"""The authorisation matrix: which document classes a profession may consult (arrêté 26/10/2023).

The data is ``specs/dmp/authorisation-matrix.toml``; its cells are marked ``reconstructed``
where the official table was not available (REFERENCE §4), and a vendor can drop in the
official one in the same format.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from dmpkit.simulator.data import SimulatorDataError, data_path, load_toml

__all__ = ["AuthorisationMatrix", "MatrixRow", "load_matrix"]


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One profession's row."""

    allowed_classes: frozenset[str]
    denied_type_codes: frozenset[str]
    reconstructed: bool
    note: str


@dataclass(frozen=True)
class AuthorisationMatrix:
    """Profession code -> row, with a default row."""

    rows: dict[str, MatrixRow]
    default: MatrixRow
    source: str

    def row(self, profession: str) -> MatrixRow:
        """The row of a profession (the default row when not listed)."""
        return self.rows.get(profession, self.default)

    def allows(self, profession: str, class_code: str, type_code: str) -> bool:
        """Whether the profession may consult a document of this class and type."""
        row = self.row(profession)
        return class_code in row.allowed_classes and type_code not in row.denied_type_codes


def _row(raw: dict[str, object], known: frozenset[str]) -> MatrixRow:
    allowed = frozenset(str(c) for c in raw.get("allowed", []))  # type: ignore[attr-defined]
    if allowed - known:
        raise SimulatorDataError(f"authorisation-matrix.toml: unknown classes {allowed - known}")
    denied_raw = raw.get("denied_type_codes", [])
    denied = frozenset(str(c) for c in denied_raw)  # type: ignore[attr-defined]
    return MatrixRow(allowed, denied, bool(raw.get("reconstructed", True)),
                     str(raw.get("note", "")))


@functools.cache
def load_matrix(path: Path | None = None) -> AuthorisationMatrix:
    """Read the matrix.

    Raises:
        SimulatorDataError: malformed file.
    """
    data = load_toml(path or data_path("authorisation-matrix.toml"))
    known = frozenset(data["all_classes"])
    rows = {str(r["code"]): _row(r, known) for r in data.get("profession", [])}
    return AuthorisationMatrix(rows, _row(data["default"], known), str(data.get("source", "")))
