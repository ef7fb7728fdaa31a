"""Which OID a FHIR canonical URL stands for, and which system OIDs are aliases.

The FHIR files name code systems by canonical URL; XDS and CDA carry OIDs. The map is
built from the store (each file's own URL/name and OID) plus a small project data file,
``specs/dmp/nos-code-systems.toml``, for the URLs no store file names (cited there).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codegen.valuesets.errors import ValueSetSourceError
from codegen.valuesets.names import url_key

SYSTEMS_FILE = "nos-code-systems.toml"
_CERTAINTIES = frozenset({"C", "X", "I"})


@dataclass(frozen=True, slots=True)
class SystemAlias:
    """A second OID under which tokens carry a code system (e.g. the VIHF PurposeOfUse).

    Attributes:
        alias: the OID found in messages.
        oid: the OID the value set files use.
        certainty: C / X / I, as in the DMP reference.
        source: where the fact is stated.
    """

    alias: str
    oid: str
    certainty: str
    source: str


@dataclass(slots=True)
class SystemTable:
    """URL key → OID, with where each entry came from (to name conflicts)."""

    oids: dict[str, str] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    aliases: list[SystemAlias] = field(default_factory=list)

    def add(self, key: str, oid: str, origin: str) -> None:
        """Record one key; the same key must always give the same OID.

        Raises:
            ValueSetSourceError: the key is already bound to another OID.
        """
        known = self.oids.get(key)
        if known is not None and known != oid:
            raise ValueSetSourceError(
                f"{key} is {known} in {self.origins[key]} but {oid} in {origin}"
            )
        self.oids.setdefault(key, oid)
        self.origins.setdefault(key, origin)

    def resolve(self, url: str, where: str) -> str:
        """The OID of a canonical URL.

        Raises:
            ValueSetSourceError: no store file nor the data file names this URL.
        """
        oid = self.oids.get(url_key(url))
        if oid is None:
            raise ValueSetSourceError(
                f"{where}: no OID known for code system {url!r}; add it to specs/dmp/"
                f"{SYSTEMS_FILE} with its source"
            )
        return oid


def _text(table: dict[str, Any], name: str, where: str) -> str:
    value = table.get(name)
    if not isinstance(value, str) or not value:
        raise ValueSetSourceError(f"{where}: '{name}' is missing or not a string")
    return value


def read_systems_file(path: Path, table: SystemTable) -> None:
    """Add the data file's URL keys and aliases to ``table``.

    Raises:
        ValueSetSourceError: the file is absent, not TOML, or an entry is incomplete.
    """
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueSetSourceError(f"{path.name} is missing from specs/dmp/") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueSetSourceError(f"{path.name}: {exc}") from None
    for key, entry in sorted(document.get("systems", {}).items()):
        where = f"{path.name} [systems.{key}]"
        table.add(key, _text(entry, "oid", where), f"specs/dmp/{path.name}")
        _check_certainty(entry, where)
        _text(entry, "source", where)
    for alias, entry in sorted(document.get("aliases", {}).items()):
        where = f"{path.name} [aliases.{alias}]"
        table.aliases.append(SystemAlias(alias, _text(entry, "same_as", where),
                                         _check_certainty(entry, where),
                                         _text(entry, "source", where)))


def _check_certainty(entry: dict[str, Any], where: str) -> str:
    certainty = _text(entry, "certainty", where)
    if certainty not in _CERTAINTIES:
        raise ValueSetSourceError(f"{where}: certainty must be one of C, X, I")
    return certainty
