"""The INS (Identité Nationale de Santé): matricule NIR or NIA + key, and its authority OID.

REFERENCE §5: 15 characters = 13-character NIR + 2-digit key, key = 97 − (NIR mod 97) with
Corsica ``2A`` → 19 and ``2B`` → 18 before the modulo; the OID tells NIR from NIA and the
environment (production, test, démo). In XDS the INS is a CX ``<matricule>^^^&<OID>&ISO^NH``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from dmpkit.errors import DmpkitError
from dmpkit.identifiers.hl7v2 import Cx, Hd, Hl7v2FormatError

__all__ = [
    "INS_AUTHORITIES",
    "INS_C_OID",
    "Ins",
    "InsAuthority",
    "InsError",
    "InsKind",
    "nir_key",
]


class InsKind(StrEnum):
    """What the matricule is: a NIR (numéro de sécurité sociale) or a NIA (numéro d'attente)."""

    NIR = "NIR"
    NIA = "NIA"


@dataclass(frozen=True, slots=True)
class InsAuthority:
    """One INS assigning authority: its OID, the kind of matricule and the environment."""

    oid: str
    kind: InsKind
    environment: str
    label: str


#: The INS authorities (REFERENCE §5 [C]); the DMP test platform uses ``.10`` for every patient.
INS_AUTHORITIES: dict[str, InsAuthority] = {
    a.oid: a for a in (
        InsAuthority("1.2.250.1.213.1.4.8", InsKind.NIR, "production", "INS-NIR"),
        InsAuthority("1.2.250.1.213.1.4.9", InsKind.NIA, "production", "INS-NIA"),
        InsAuthority("1.2.250.1.213.1.4.10", InsKind.NIR, "test", "INS-NIR test"),
        InsAuthority("1.2.250.1.213.1.4.11", InsKind.NIR, "demo", "INS-NIR démo"),
    )
}
#: The legacy INS-C (computed INS): not accepted as an INS any more.
INS_C_OID = "1.2.250.1.213.1.4.2"
#: The CX identifier type code of an INS in XDS.
INS_TYPE_CODE = "NH"

_MATRICULE = re.compile(r"^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}[0-9]{2}$")


class InsError(DmpkitError, ValueError):
    """An INS that cannot be used, with every reason found."""

    def __init__(self, value: str, problems: list[str]) -> None:
        super().__init__(f"{value!r} is not a valid INS: " + "; ".join(problems))
        self.value = value
        self.problems = problems


def nir_key(nir13: str) -> int:
    """The 2-digit key of a 13-character NIR or NIA: 97 − (number mod 97).

    Corsica departments ``2A``/``2B`` count as 19/18 (INSEE rule, REFERENCE §5).

    Raises:
        ValueError: ``nir13`` is not 13 NIR characters.
    """
    text = nir13.upper()
    if len(text) != 13 or not _MATRICULE.match(text + "00"):
        raise ValueError(f"{nir13!r} is not 13 NIR characters")
    department = {"2A": "19", "2B": "18"}.get(text[5:7], text[5:7])
    return 97 - int(text[:5] + department + text[7:]) % 97


@dataclass(frozen=True, slots=True)
class Ins:
    """An INS: the 15-character matricule and the OID of its authority.

    Attributes:
        matricule: NIR or NIA (13 characters) followed by its 2-digit key.
        oid: the assigning authority (``1.2.250.1.213.1.4.8`` … ``.11``).
    """

    matricule: str
    oid: str = "1.2.250.1.213.1.4.10"

    @classmethod
    def from_nir(cls, nir13: str, oid: str = "1.2.250.1.213.1.4.10") -> Ins:
        """The INS of a 13-character NIR/NIA, key computed."""
        return cls(f"{nir13.upper()}{nir_key(nir13):02d}", oid)

    @property
    def authority(self) -> InsAuthority | None:
        """The authority the OID names, or None if it is not an INS authority."""
        return INS_AUTHORITIES.get(self.oid)

    def problems(self) -> list[str]:
        """Every reason why this is not a valid INS (empty when it is)."""
        found: list[str] = []
        if self.oid == INS_C_OID:
            found.append(f"OID {self.oid} is the legacy INS-C, no longer an INS")
        elif self.oid not in INS_AUTHORITIES:
            found.append(f"OID {self.oid!r} is not an INS authority "
                         f"(expected one of {', '.join(INS_AUTHORITIES)})")
        text = self.matricule.upper()
        if not _MATRICULE.match(text):
            found.append(f"matricule {self.matricule!r} is not 13 NIR characters + a 2-digit key")
        elif nir_key(text[:13]) != int(text[13:]):
            found.append(f"key {text[13:]} is wrong (expected {nir_key(text[:13]):02d})")
        return found

    def check(self) -> Ins:
        """Return self when valid.

        Raises:
            InsError: with every problem found.
        """
        problems = self.problems()
        if problems:
            raise InsError(self.to_cx(), problems)
        return self

    def to_cx(self) -> str:
        """The XDS ``patientId`` form ``<matricule>^^^&<OID>&ISO^NH``."""
        return self.as_cx().format()

    def as_cx(self) -> Cx:
        """The INS as a CX value."""
        return Cx(self.matricule, assigning_authority=Hd.iso(self.oid),
                  identifier_type_code=INS_TYPE_CODE)

    @classmethod
    def from_cx(cls, value: str | Cx) -> Ins:
        """Read an INS from its CX form (the identifier type is checked by :meth:`cx_problems`).

        Raises:
            InsError: the text is not a CX with an ISO authority OID.
        """
        try:
            cx = Cx.parse(value) if isinstance(value, str) else value
        except Hl7v2FormatError as error:
            raise InsError(str(value), [str(error)]) from None
        if not cx.id_number or not cx.assigning_authority.universal_id:
            raise InsError(str(value) if isinstance(value, str) else cx.format(),
                           ["expected <matricule>^^^&<OID>&ISO^NH"])
        return cls(cx.id_number, cx.assigning_authority.universal_id)

    @staticmethod
    def cx_problems(value: str) -> list[str]:
        """Every reason why ``value`` is not an INS in CX form (empty when it is)."""
        try:
            cx = Cx.parse(value)
        except Hl7v2FormatError as error:
            return [str(error)]
        found: list[str] = []
        if cx.assigning_authority.universal_id_type != "ISO":
            found.append("assigning authority type (CX.4.3) must be ISO")
        if cx.identifier_type_code != INS_TYPE_CODE:
            found.append(f"identifier type (CX.5) must be {INS_TYPE_CODE}, "
                         f"got {cx.identifier_type_code!r}")
        return found + Ins(cx.id_number, cx.assigning_authority.universal_id).problems()
