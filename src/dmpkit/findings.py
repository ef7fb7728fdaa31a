"""Validation findings: one precise, actionable problem per value, readable and JSON-able.

Shared by every validator of dmpkit (XDS metadata, CDA, VIHF): a finding names the rule it
breaks, the IHE/DMP error code the SI DMP would answer, where the value sits in the message,
the value received and what is allowed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Finding", "Severity", "findings_to_json", "format_findings", "has_errors"]


class Severity(StrEnum):
    """How bad a finding is: only ``error`` makes a message non-conformant."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a message.

    Attributes:
        severity: ``error``, ``warning`` or ``info``.
        rule_id: the id of the rule broken (e.g. ``DMP-DE-TYPECODE-VS``).
        error_code: the IHE or DMP error code a registry would return
            (``XDSRegistryMetadataError``, ``XDSPatientIdDoesNotMatch``, ...).
        item: the metadata item (``DocumentEntry.typeCode``).
        location: XPath-like location of the value in the message.
        value: the value received (``None`` when the item is missing).
        allowed: what the rule allows, in words (value set name, format, cardinality).
        hint: what to do about it.
        nearest: for an unknown code, the closest valid codes as ``(code, display)`` pairs.
    """

    severity: Severity
    rule_id: str
    error_code: str
    item: str
    location: str
    value: str | None
    allowed: str
    hint: str = ""
    nearest: tuple[tuple[str, str], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The finding as plain JSON-able data."""
        data = asdict(self)
        data["severity"] = self.severity.value
        data["nearest"] = [{"code": c, "display": d} for c, d in self.nearest]
        return data

    def format(self) -> str:
        """The finding as a few terminal lines."""
        lines = [f"{self.severity.value.upper()} {self.rule_id} [{self.error_code}] {self.item}",
                 f"  at      {self.location}",
                 f"  value   {self.value!r}" if self.value is not None else "  value   (missing)",
                 f"  allowed {self.allowed}"]
        if self.hint:
            lines.append(f"  hint    {self.hint}")
        if self.nearest:
            lines.append("  nearest " + "; ".join(f"{c} ({d})" for c, d in self.nearest))
        return "\n".join(lines)


def has_errors(findings: Iterable[Finding]) -> bool:
    """Whether any finding is an error."""
    return any(f.severity is Severity.ERROR for f in findings)


def format_findings(findings: Sequence[Finding]) -> str:
    """All findings for a terminal, with a closing count."""
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    body = "\n".join(f.format() for f in findings)
    summary = f"{errors} error(s), {warnings} warning(s)"
    return f"{body}\n{summary}" if body else summary


def findings_to_json(findings: Sequence[Finding]) -> str:
    """All findings as a JSON array (stable key order)."""
    return json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2)
