"""The patient INS as the VIHF ``resource-id`` carries it: ``<matricule>^^^&<OID>&ISO^NH``."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["INS_OIDS", "InsIdentifier", "ins_key", "ins_problems"]

# INS-NIR production, INS-NIA production, INS-NIR test, INS-NIR démo (REFERENCE §5)
INS_OIDS: dict[str, str] = {
    "1.2.250.1.213.1.4.8": "INS-NIR",
    "1.2.250.1.213.1.4.9": "INS-NIA",
    "1.2.250.1.213.1.4.10": "INS-NIR test",
    "1.2.250.1.213.1.4.11": "INS-NIR démo",
}
_MATRICULE = re.compile(r"^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}[0-9]{2}$")
_CX = re.compile(r"^(?P<id>[^^&]+)\^\^\^&(?P<oid>[0-9.]+)&ISO\^NH$")


def ins_key(nir: str) -> int:
    """The 2-digit key of a 13-character NIR: 97 − (NIR mod 97), Corsica 2A→19, 2B→18."""
    department = {"2A": "19", "2B": "18"}.get(nir[5:7].upper(), nir[5:7])
    return 97 - int(nir[:5] + department + nir[7:]) % 97


def ins_problems(matricule: str, oid: str) -> list[str]:
    """Every reason why ``matricule``/``oid`` is not a valid INS (empty when valid)."""
    problems = []
    if oid not in INS_OIDS:
        problems.append(
            f"OID {oid} is not an INS authority (expected one of {', '.join(INS_OIDS)})"
        )
    if not _MATRICULE.match(matricule.upper()):
        problems.append(f"matricule {matricule!r} is not 13 NIR characters + a 2-digit key")
    elif ins_key(matricule[:13]) != int(matricule[13:]):
        problems.append(
            f"matricule key {matricule[13:]} is wrong (expected {ins_key(matricule[:13]):02d})"
        )
    return problems


@dataclass(frozen=True, slots=True)
class InsIdentifier:
    """An INS: matricule (NIR or NIA + key) and the OID of its assigning authority."""

    matricule: str
    oid: str = "1.2.250.1.213.1.4.10"

    def to_cx(self) -> str:
        """The HL7 CX form used in the VIHF and in XDS ``patientId``."""
        return f"{self.matricule}^^^&{self.oid}&ISO^NH"

    @classmethod
    def from_cx(cls, text: str) -> InsIdentifier:
        """Parse the CX form.

        Raises:
            ValueError: the text is not ``<id>^^^&<OID>&ISO^NH``.
        """
        match = _CX.match(text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not an INS CX (<matricule>^^^&<OID>&ISO^NH)")
        return cls(match["id"], match["oid"])
