"""Format checks of metadata values: each returns the problems found (empty when valid)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from dmpkit.identifiers.hl7v2 import Cx, Xcn, Xon
from dmpkit.identifiers.idnat import (
    PS_IDNAT_OID,
    PS_TYPE_CODE,
    STRUCTURE_IDNAT_OID,
    STRUCTURE_TYPE_CODE,
    IdNatPs,
    IdNatStructure,
)
from dmpkit.identifiers.ins import INS_AUTHORITIES, INS_TYPE_CODE, Ins

__all__ = ["FORMATS", "describe"]

_OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")
_DTM = re.compile(r"^[0-9]{4}(?:[0-9]{2}){0,5}$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_PID = re.compile(r"^PID-([0-9]+)\|(.*)$", re.DOTALL)
_OID_MAX = 64  # ITI TF-3 §4.2.3.2.26: uniqueId OIDs are at most 64 characters


def _oid(value: Any) -> list[str]:
    text = str(value)
    if "^" in text:
        return ["OID^extension form: the DMP supports only a plain OID"]
    if not _OID.match(text):
        return ["not an OID (digits separated by dots, no leading zeros, first arc 0-2)"]
    if len(text) > _OID_MAX:
        return [f"OID is {len(text)} characters, at most {_OID_MAX}"]
    return []


def _dtm(value: Any) -> list[str]:
    text = str(value)
    if not _DTM.match(text):
        return ["not an HL7 DTM YYYY[MM[DD[hh[mm[ss]]]]] (4 to 14 digits, UTC, no zone)"]
    padded = text + "0101000000"[len(text) - 4:] if len(text) < 14 else text
    try:
        datetime.datetime.strptime(padded, "%Y%m%d%H%M%S")
    except ValueError:
        return ["not a real date/time"]
    return []


def _dtm14(value: Any) -> list[str]:
    found = _dtm(value)
    if not found and len(str(value)) != 14:
        return [f"has {len(str(value))} digits; the DMP requires 14 (YYYYMMDDhhmmss)"]
    return found


def _sha1(value: Any) -> list[str]:
    return [] if _SHA1.match(str(value)) else ["not a SHA-1 digest in hexadecimal (40 characters)"]


def _integer(value: Any) -> list[str]:
    if isinstance(value, int) and value >= 0:
        return []
    return ["not a non-negative integer"]


def _ins(value: Any) -> list[str]:
    text = value.format() if isinstance(value, Cx) else str(value)
    return Ins.cx_problems(text)


def _cx_pi_or_nh(value: Any) -> list[str]:
    cx = value if isinstance(value, Cx) else Cx.parse(str(value))
    if cx.identifier_type_code == INS_TYPE_CODE:
        return Ins.cx_problems(cx.format())
    found = []
    if not cx.id_number:
        found.append("CX.1 (identifier) is empty")
    if not _OID.match(cx.assigning_authority.universal_id) or \
            cx.assigning_authority.universal_id_type != "ISO":
        found.append("CX.4 must be &<OID>&ISO (the authority that issued the local id)")
    if cx.identifier_type_code != "PI":
        found.append(f"CX.5 must be PI (local id) or NH (INS), got {cx.identifier_type_code!r}")
    return found


def _pid(value: Any) -> list[str]:
    match = _PID.match(str(value))
    if match is None:
        return ["not PID-<n>|<value>"]
    number, field = int(match[1]), match[2]
    if number == 7 and (not re.fullmatch(r"[0-9]{8}", field) or _dtm(field)):
        return ["PID-7 (birth date) must be YYYYMMDD"]
    if number == 8 and field not in ("F", "M", "U"):
        return ["PID-8 (sex) must be F, M or U"]
    if number == 5 and not field.split("^")[0]:
        return ["PID-5 has no family name"]
    return []


def _xcn_person(value: Any) -> list[str]:
    xcn = value if isinstance(value, Xcn) else Xcn.parse(str(value))
    found = []
    authority = xcn.assigning_authority.universal_id
    if not xcn.id_number:
        found.append("XCN.1 (identifier) is empty")
    if not xcn.family_name or not xcn.given_name:
        found.append("family name (XCN.2) and given name (XCN.3) must not be empty (RG_2230)")
    if xcn.assigning_authority.universal_id_type != "ISO":
        found.append("XCN.9 must be &<OID>&ISO")
    if authority == PS_IDNAT_OID:
        if xcn.identifier_type_code != PS_TYPE_CODE:
            found.append(f"a PS identifier has type (XCN.13) {PS_TYPE_CODE}")
        if xcn.name_type_code != "D":
            found.append("a PS name has type (XCN.10) D")
        found.extend(IdNatPs(xcn.id_number).problems())
    elif authority in INS_AUTHORITIES:
        if xcn.identifier_type_code != INS_TYPE_CODE:
            found.append(f"a patient author (INS) has type (XCN.13) {INS_TYPE_CODE}")
        found.extend(Ins(xcn.id_number, authority).problems())
    elif xcn.identifier_type_code == "RI":
        if xcn.name_type_code != "U":
            found.append("a system author has name type (XCN.10) U")
    else:
        found.append(f"XCN.9 authority {authority or '(none)'} is neither the PS IdNat OID "
                     f"{PS_IDNAT_OID}, an INS OID, nor a system id (XCN.13 RI)")
    return found


def _xon_structure(value: Any) -> list[str]:
    xon = value if isinstance(value, Xon) else Xon.parse(str(value))
    found = []
    if not xon.organization_name:
        found.append("XON.1 (organisation name) is empty")
    if not xon.identifier:
        found.append("XON.10 (structure identifier) is empty")
    authority = xon.assigning_authority.universal_id
    if authority == STRUCTURE_IDNAT_OID:
        if xon.identifier_type_code != STRUCTURE_TYPE_CODE:
            found.append(f"a structure IdNat has type (XON.7) {STRUCTURE_TYPE_CODE}")
        if xon.identifier:
            found.extend(IdNatStructure(xon.identifier).problems())
    elif xon.identifier_type_code != "SIREN":
        found.append(f"XON.6 authority {authority or '(none)'} is not the structure IdNat OID "
                     f"{STRUCTURE_IDNAT_OID} (nor a SIREN for a service numérique)")
    return found


#: Format name (as in the rules file) → check.
FORMATS: dict[str, Callable[[Any], list[str]]] = {
    "oid": _oid,
    "dtm": _dtm,
    "dtm14": _dtm14,
    "sha1": _sha1,
    "integer": _integer,
    "ins": _ins,
    "cx_pi_or_nh": _cx_pi_or_nh,
    "pid": _pid,
    "xcn_person": _xcn_person,
    "xon_structure": _xon_structure,
}
_DESCRIPTIONS = {
    "oid": "a plain OID, at most 64 characters",
    "dtm": "HL7 DTM YYYY[MM[DD[hh[mm[ss]]]]] in UTC",
    "dtm14": "YYYYMMDDhhmmss in UTC",
    "sha1": "SHA-1 in hexadecimal (40 characters)",
    "integer": "a non-negative integer",
    "ins": "INS as <matricule>^^^&<INS OID>&ISO^NH with a valid key",
    "cx_pi_or_nh": "<id>^^^&<OID>&ISO^PI, or the INS (^NH)",
    "pid": "PID-<n>|<value> (PID-5 name, PID-7 YYYYMMDD, PID-8 F/M/U)",
    "xcn_person": "XCN IdNat^NOM^Prénom^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS "
                  "(patient: INS ^NH; system: ^U^^^RI)",
    "xon_structure": "XON Nom^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^<Struct_IdNat>",
}


def describe(name: str) -> str:
    """What a format allows, in words."""
    return _DESCRIPTIONS[name]
