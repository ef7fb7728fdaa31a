"""The DMP metadata rules as data: ``specs/dmp/metadata-rules.toml`` loaded into typed rules."""

from __future__ import annotations

import importlib.resources
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from dmpkit.errors import DmpkitError
from dmpkit.findings import Severity

__all__ = ["Rule", "RuleSet", "RulesError", "Unknown", "default_rules_path", "load_rules"]

_FILE_NAME = "metadata-rules.toml"
_REQUIRED = ("id", "check", "carrier", "item", "severity", "error_code", "certainty", "source")
_CERTAINTIES = frozenset({"C", "X", "I", "NF", "contradiction"})
CARRIERS = frozenset({"DocumentEntry", "SubmissionSet", "Folder", "Association",
                      "DocumentEntry.author", "SubmissionSet.author", "Submission"})


class RulesError(DmpkitError):
    """The rules file is missing or malformed (the message names the rule and the field)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One DMP rule.

    Attributes:
        id: stable id quoted in findings. check: the kind of check.
        carrier: the object kind it applies to. item: the metadata item.
        severity: of the findings it raises. error_code: IHE code a registry would answer.
        certainty: C, X, I, NF or contradiction. source: where the fact comes from.
        hint: what to do. params: the check's parameters (min, max, binding, format...).
    """

    id: str
    check: str
    carrier: str
    item: str
    severity: Severity
    error_code: str
    certainty: str
    source: str
    hint: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Unknown:
    """A point the public material leaves silent or contradictory, and what dmpkit does."""

    id: str
    topic: str
    certainty: str
    note: str
    source: str
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Every rule and every recorded unknown."""

    rules: tuple[Rule, ...]
    unknowns: tuple[Unknown, ...]

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id.

        Raises:
            KeyError: no such rule.
        """
        for candidate in self.rules:
            if candidate.id == rule_id:
                return candidate
        raise KeyError(rule_id)


def default_rules_path() -> Path:
    """The rules file shipped with dmpkit (wheel package data, else the checkout's ``specs``).

    Raises:
        RulesError: neither copy exists.
    """
    packaged = importlib.resources.files("dmpkit").joinpath("_specs", "dmp", _FILE_NAME)
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "specs" / "dmp" / _FILE_NAME
    if checkout.is_file():
        return checkout
    raise RulesError(f"the metadata rules are missing: neither dmpkit/_specs/dmp/{_FILE_NAME} "
                     f"nor {checkout} exists; reinstall dmpkit")


def _rule(entry: Mapping[str, Any], known_checks: frozenset[str]) -> Rule:
    name = entry.get("id", "<no id>")
    missing = [key for key in _REQUIRED if key not in entry]
    if missing:
        raise RulesError(f"rule {name}: missing {', '.join(missing)}")
    if entry["check"] not in known_checks:
        raise RulesError(f"rule {name}: unknown check {entry['check']!r} "
                         f"(known: {', '.join(sorted(known_checks))})")
    if entry["carrier"] not in CARRIERS:
        raise RulesError(f"rule {name}: unknown carrier {entry['carrier']!r}")
    if entry["certainty"] not in _CERTAINTIES:
        raise RulesError(f"rule {name}: certainty {entry['certainty']!r} is not one of "
                         f"{sorted(_CERTAINTIES)}")
    try:
        severity = Severity(entry["severity"])
    except ValueError:
        raise RulesError(f"rule {name}: severity {entry['severity']!r} is not error, warning "
                         "or info") from None
    params = {k: v for k, v in entry.items() if k not in _REQUIRED and k != "hint"}
    return Rule(str(entry["id"]), str(entry["check"]), str(entry["carrier"]), str(entry["item"]),
                severity, str(entry["error_code"]), str(entry["certainty"]), str(entry["source"]),
                str(entry.get("hint", "")), params)


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Load and check the rules file.

    Args:
        path: a rules file; default :func:`default_rules_path`.

    Raises:
        RulesError: unreadable file, duplicate id, unknown check, carrier, certainty or severity.
    """
    return _load(Path(path) if path is not None else default_rules_path())


@cache
def _load(path: Path) -> RuleSet:
    from dmpkit.metadata.checks import CHECKS

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RulesError(f"cannot read the metadata rules {path}: {error}") from None
    rules = tuple(_rule(entry, frozenset(CHECKS)) for entry in data.get("rule", []))
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RulesError(f"rule id {rule.id} is used twice in {path}")
        seen.add(rule.id)
    unknowns = tuple(Unknown(str(u["id"]), str(u["topic"]), str(u["certainty"]), str(u["note"]),
                             str(u["source"]), u.get("rule")) for u in data.get("unknown", []))
    for unknown in unknowns:
        if unknown.rule is not None and unknown.rule not in seen:
            raise RulesError(f"unknown {unknown.id} names rule {unknown.rule}, not defined")
    return RuleSet(rules, unknowns)
