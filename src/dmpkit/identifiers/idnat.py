"""IdNat: the national identifiers of health professionals (PS) and structures.

REFERENCE §2.5 [C] (S-P4D-LM PSIdNat/StructIdNat): a one-digit prefix names the register the
rest of the identifier comes from. PS IdNat are issued under OID 1.2.250.1.71.4.2.1 (XCN type
``IDNPS``), structure IdNat under 1.2.250.1.71.4.2.2 (XON type ``IDNST``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "PS_IDNAT_OID",
    "PS_PREFIXES",
    "STRUCTURE_IDNAT_OID",
    "STRUCTURE_PREFIXES",
    "IdNatPs",
    "IdNatStructure",
]

PS_IDNAT_OID = "1.2.250.1.71.4.2.1"
STRUCTURE_IDNAT_OID = "1.2.250.1.71.4.2.2"
PS_TYPE_CODE = "IDNPS"
STRUCTURE_TYPE_CODE = "IDNST"

#: PS IdNat prefix → register (REFERENCE §2.5).
PS_PREFIXES: dict[str, str] = {
    "0": "ADELI",
    "1": "cabinet ADELI / internal id",
    "3": "FINESS / internal id",
    "4": "SIREN / internal id",
    "5": "SIRET / internal id",
    "6": "cabinet RPPS / internal id",
    "8": "RPPS",
}
#: Structure IdNat prefix → register (REFERENCE §2.5).
STRUCTURE_PREFIXES: dict[str, str] = {
    "0": "cabinet ADELI",
    "1": "FINESS",
    "2": "SIREN",
    "3": "SIRET",
    "4": "RPPS-rang",
}
# Body shapes of the registers that have a fixed length; FINESS carries 2A/2B for Corsica.
_BODIES = {
    "ADELI": r"[0-9]{9}",
    "RPPS": r"[0-9]{11}",
    "FINESS": r"[0-9][0-9AB][0-9]{7}",
    "SIREN": r"[0-9]{9}",
    "SIRET": r"[0-9]{14}",
}
# The LM regex is ^(0|1|3|4|5|6|8)\d*$ but its own "structure/internal id" forms hold a '/'
# and letters: both are accepted for the internal-id prefixes (REFERENCE §2.5, inconsistency).
_INTERNAL = re.compile(r"^[0-9A-Za-z]+(?:/[0-9A-Za-z._-]+)?$")


def _idnat_problems(value: str, prefixes: dict[str, str], kind: str) -> list[str]:
    """Why ``value`` is not an IdNat of this kind: unknown prefix, or a body refused."""
    register = prefixes.get(value[:1])
    if register is None:
        return [f"prefix {value[:1]!r} is not a {kind} IdNat prefix "
                f"({', '.join(f'{k}={v}' for k, v in prefixes.items())})"]
    body = value[1:]
    pattern = _BODIES.get(register)
    if pattern is not None and not re.fullmatch(pattern, body):
        return [f"{register} number {body!r} does not match {pattern}"]
    if pattern is None and not _INTERNAL.match(body):
        return [f"{register} identifier {body!r} is empty or has invalid characters"]
    return []


@dataclass(frozen=True, slots=True)
class IdNatPs:
    """A health professional's IdNat (``idNat_PS``), e.g. ``810001234567`` (8 + RPPS)."""

    value: str

    @property
    def register(self) -> str | None:
        """The register named by the prefix, or None for an unknown prefix."""
        return PS_PREFIXES.get(self.value[:1])

    def problems(self) -> list[str]:
        """Every reason why this is not a PS IdNat (empty when it is)."""
        return _idnat_problems(self.value, PS_PREFIXES, "PS")


@dataclass(frozen=True, slots=True)
class IdNatStructure:
    """A structure's IdNat (``Struct_IdNat``), e.g. ``10B0007712`` (1 + FINESS)."""

    value: str

    @property
    def register(self) -> str | None:
        """The register named by the prefix, or None for an unknown prefix."""
        return STRUCTURE_PREFIXES.get(self.value[:1])

    def problems(self) -> list[str]:
        """Every reason why this is not a structure IdNat (empty when it is)."""
        return _idnat_problems(self.value, STRUCTURE_PREFIXES, "structure")
