"""``specs/dmp/valueset-precedence.toml``: metadata item → DMP set, then CI-SIS set."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codegen.valuesets.errors import ValueSetSourceError

PRECEDENCE_FILE = "valueset-precedence.toml"
_CERTAINTIES = frozenset({"C", "X", "I"})


@dataclass(frozen=True, slots=True)
class BindingFact:
    """One metadata item's value sets (OIDs), DMP first.

    Attributes:
        item: the XDS metadata name (``typeCode``) or ``vihf:<attribute>``.
        carrier: where the item appears (DocumentEntry, SubmissionSet, VIHF …).
        dmp: OID of the DMP set, or None when the DMP has none of its own.
        cisis: OID of the CI-SIS set, or None.
        certainty: C / X / I.
        source: where the binding is stated.
    """

    item: str
    carrier: str
    dmp: str | None
    cisis: str | None
    certainty: str
    source: str


@dataclass(frozen=True, slots=True)
class DerivationFact:
    """An item whose code follows from another item's through association tables."""

    item: str
    from_item: str
    dmp: str | None
    cisis: str | None
    certainty: str
    source: str


def _field(entry: dict[str, Any], name: str, where: str, *, required: bool = True) -> str | None:
    value = entry.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise ValueSetSourceError(f"{where}: '{name}' is missing or not a string")
    return value


def _sets(entry: dict[str, Any], where: str,
          names_by_oid: Mapping[str, set[str]]) -> tuple[str | None, str | None]:
    chosen: list[str | None] = []
    for side in ("dmp", "cisis"):
        oid = _field(entry, side, where, required=False)
        if oid is not None:
            name = _field(entry, f"{side}_name", where)
            known = names_by_oid.get(oid, set())
            if name not in known:
                raise ValueSetSourceError(
                    f"{where}: {side} = {oid} is "
                    + (f"named {sorted(known)} in the store, not {name}" if known
                       else "not the OID of any set in the spec store")
                )
        chosen.append(oid)
    if chosen == [None, None]:
        raise ValueSetSourceError(f"{where}: names neither a dmp nor a cisis set")
    return chosen[0], chosen[1]


def read_precedence(
    path: Path, names_by_oid: Mapping[str, set[str]]
) -> tuple[tuple[BindingFact, ...], tuple[DerivationFact, ...]]:
    """Read and check the precedence file against the sets found in the store.

    Args:
        path: the TOML file.
        names_by_oid: OID → NOS names of the generated sets and tables.

    Raises:
        ValueSetSourceError: the file is absent or malformed, an item is listed twice, or an
            OID/name pair does not match the store.
    """
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueSetSourceError(f"{path.name} is missing from specs/dmp/") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueSetSourceError(f"{path.name}: {exc}") from None
    bindings: list[BindingFact] = []
    for index, entry in enumerate(document.get("binding", [])):
        where = f"{path.name} binding #{index + 1}"
        item = str(_field(entry, "item", where))
        dmp, cisis = _sets(entry, f"{where} ({item})", names_by_oid)
        bindings.append(BindingFact(item, str(_field(entry, "carrier", where)), dmp, cisis,
                                    _certainty(entry, where), str(_field(entry, "source", where))))
    derivations: list[DerivationFact] = []
    for index, entry in enumerate(document.get("derivation", [])):
        where = f"{path.name} derivation #{index + 1}"
        item = str(_field(entry, "item", where))
        dmp, cisis = _sets(entry, f"{where} ({item})", names_by_oid)
        derivations.append(DerivationFact(item, str(_field(entry, "from", where)), dmp, cisis,
                                          _certainty(entry, where),
                                          str(_field(entry, "source", where))))
    for label, items in (("binding", [b.item for b in bindings]),
                         ("derivation", [d.item for d in derivations])):
        twice = sorted({i for i in items if items.count(i) > 1})
        if twice:
            raise ValueSetSourceError(f"{path.name}: {label} item(s) listed twice: {twice}")
    return tuple(bindings), tuple(derivations)


def _certainty(entry: dict[str, Any], where: str) -> str:
    certainty = str(_field(entry, "certainty", where))
    if certainty not in _CERTAINTIES:
        raise ValueSetSourceError(f"{where}: certainty must be one of C, X, I")
    return certainty
