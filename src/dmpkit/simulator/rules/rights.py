"""Functional rights per transaction (``specs/dmp/rights.toml``, REFERENCE §10.3) as data."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from dmpkit.simulator.caller import Caller
from dmpkit.simulator.data import SimulatorDataError, data_path, load_toml
from dmpkit.simulator.errors import DmpRefusalError

__all__ = ["DenyRule", "RightsMatrix", "load_rights"]

_AUTH = {"direct_cps", "direct_cpe", "indirect", "air"}
_ACCESS = {"normal", "bris_de_glace", "centre_15"}
_ROLES = {"medecin_traitant", "not_medecin_traitant", "medecin_travail"}


@dataclass(frozen=True, slots=True)
class DenyRule:
    """Refuse ``transactions`` to a caller matching every non-empty condition."""

    transactions: frozenset[str]
    auth: frozenset[str]
    access: frozenset[str]
    role: frozenset[str]
    option: str | None
    reason: str
    source: str

    def matches(self, caller: Caller, roles: frozenset[str]) -> bool:
        """True when the caller meets every condition."""
        return ((not self.auth or caller.auth_mode.value in self.auth)
                and (not self.access or caller.access_mode.value in self.access)
                and (not self.role or bool(self.role & roles)))


@dataclass(frozen=True)
class RightsMatrix:
    """The deny rules and the contested-cell options."""

    rules: tuple[DenyRule, ...]
    options: dict[str, bool]

    def check(self, transaction_id: str, caller: Caller, *, medecin_traitant: bool,
              key: str = "rights.denied") -> None:
        """Refuse the transaction when a rule denies it to this caller.

        Raises:
            DmpRefusalError: with ``key`` and the rule's reason.
        """
        roles = {"medecin_traitant" if medecin_traitant else "not_medecin_traitant"}
        if caller.medecin_travail:
            roles.add("medecin_travail")
        for rule in self.rules:
            if transaction_id not in rule.transactions:
                continue
            if rule.option is not None and self.options.get(rule.option, False):
                continue
            if rule.matches(caller, frozenset(roles)):
                raise DmpRefusalError(key, f"{transaction_id} : {rule.reason}")

    def option(self, name: str) -> bool:
        """A contested cell's setting.

        Raises:
            SimulatorDataError: unknown option.
        """
        try:
            return self.options[name]
        except KeyError:
            raise SimulatorDataError(f"rights.toml has no option {name!r}") from None


def _set(raw: object, allowed: set[str], what: str) -> frozenset[str]:
    values = frozenset(str(v) for v in (raw or []))  # type: ignore[attr-defined]
    if values - allowed:
        raise SimulatorDataError(f"rights.toml: unknown {what} {sorted(values - allowed)}")
    return values


@functools.cache
def load_rights(path: Path | None = None, **overrides: bool) -> RightsMatrix:
    """Read rights.toml; ``overrides`` change contested-cell options.

    Raises:
        SimulatorDataError: malformed file or unknown option.
    """
    data = load_toml(path or data_path("rights.toml"))
    options = {str(k): bool(v) for k, v in data.get("options", {}).items()}
    for name, value in overrides.items():
        if name not in options:
            raise SimulatorDataError(f"rights.toml has no option {name!r}")
        options[name] = value
    rules = []
    for raw in data.get("deny", []):
        option = raw.get("option")
        if option is not None and option not in options:
            raise SimulatorDataError(f"rights.toml: rule uses unknown option {option!r}")
        rules.append(DenyRule(frozenset(raw["transactions"]), _set(raw.get("auth"), _AUTH, "auth"),
                              _set(raw.get("access"), _ACCESS, "access"),
                              _set(raw.get("role"), _ROLES, "role"), option, raw["reason"],
                              raw["source"]))
    return RightsMatrix(tuple(rules), options)
