"""Identifiers of the DMP: INS, IdNat (PS and structure) and the HL7 v2 datatypes carrying them."""

from __future__ import annotations

from dmpkit.identifiers.hl7v2 import Cwe, Cx, Hd, Hl7v2FormatError, Xcn, Xon, escape, unescape
from dmpkit.identifiers.idnat import (
    PS_IDNAT_OID,
    STRUCTURE_IDNAT_OID,
    IdNatPs,
    IdNatStructure,
)
from dmpkit.identifiers.ins import INS_AUTHORITIES, Ins, InsAuthority, InsError, InsKind, nir_key

__all__ = [
    "INS_AUTHORITIES",
    "PS_IDNAT_OID",
    "STRUCTURE_IDNAT_OID",
    "Cwe",
    "Cx",
    "Hd",
    "Hl7v2FormatError",
    "IdNatPs",
    "IdNatStructure",
    "Ins",
    "InsAuthority",
    "InsError",
    "InsKind",
    "Xcn",
    "Xon",
    "escape",
    "nir_key",
    "unescape",
]
