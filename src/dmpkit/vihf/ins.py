"""The patient INS as the VIHF ``resource-id`` carries it: ``<matricule>^^^&<OID>&ISO^NH``.

The INS rules live in :mod:`dmpkit.identifiers.ins`; this module keeps the names the VIHF
layer has always used.
"""

from __future__ import annotations

from dmpkit.identifiers.ins import INS_AUTHORITIES, Ins, nir_key

__all__ = ["INS_OIDS", "InsIdentifier", "ins_key", "ins_problems"]

#: OID → label of every INS authority (REFERENCE §5).
INS_OIDS: dict[str, str] = {oid: authority.label for oid, authority in INS_AUTHORITIES.items()}

#: The VIHF layer's name for an INS.
InsIdentifier = Ins

#: The 2-digit key of a 13-character NIR: 97 − (NIR mod 97), Corsica 2A→19, 2B→18.
ins_key = nir_key


def ins_problems(matricule: str, oid: str) -> list[str]:
    """Every reason why ``matricule``/``oid`` is not a valid INS (empty when valid)."""
    return Ins(matricule, oid).problems()
