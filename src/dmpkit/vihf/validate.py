"""Check VIHF claims against REFERENCE §2.3 and the value sets, reporting every problem."""

from __future__ import annotations

import re

from dmpkit.vihf.claims import (
    OID_ENSEMBLE_SAVOIR_FAIRE,
    OID_MODE_ACCES,
    OID_PROFESSION_SANTE,
    OID_SOUS_SECTION_CNOP,
    AttributeName,
    VihfClaims,
)
from dmpkit.vihf.errors import ClaimProblem, VihfClaimsError
from dmpkit.vihf.ins import ins_problems
from dmpkit.vihf.valuesets import J38, J61, J64, J65, VihfValueSets, vihf_value_sets

__all__ = ["SUPPORTED_VIHF_VERSIONS", "check_claims", "claim_problems"]

SUPPORTED_VIHF_VERSIONS = ("3.0", "4.0")  # samples say 3.0, the ANS table 4.0 (REFERENCE §8.1)
# second role required for these professions, from this code system (REFERENCE §2.3)
_SECOND_ROLE = {"10": OID_ENSEMBLE_SAVOIR_FAIRE, "21": OID_SOUS_SECTION_CNOP}
_NO_SPACE = re.compile(r"^\S+$")


def _required_text(problems: list[ClaimProblem], name: str, value: str | None) -> None:
    if value is None or not value.strip():
        problems.append(ClaimProblem(name, "is mandatory and empty"))


def _roles(claims: VihfClaims, sets: VihfValueSets, problems: list[ClaimProblem]) -> None:
    name = AttributeName.ROLE.value
    if not claims.roles:
        problems.append(ClaimProblem(name, "at least one role (the profession) is mandatory"))
        return
    for index, role in enumerate(claims.roles, start=1):
        if not sets.contains(J65, role.code, role.code_system):
            problems.append(ClaimProblem(
                f"{name}[{index}]",
                f"code {role.code!r} of system {role.code_system} "
                "is not in JDV_J65-SubjectRole-DMP",
            ))
    profession = claims.roles[0]
    needed_system = _SECOND_ROLE.get(profession.code) if (
        profession.code_system == OID_PROFESSION_SANTE) else None
    if needed_system is None:
        return
    if len(claims.roles) < 2:
        problems.append(ClaimProblem(
            f"{name}[2]",
            f"a second role (savoir-faire, system {needed_system}) is mandatory for profession "
            f"{profession.code} ({profession.display_name or 'médecin/pharmacien'})",
        ))
    elif claims.roles[1].code_system != needed_system:
        problems.append(ClaimProblem(
            f"{name}[2]",
            f"the second role of profession {profession.code} must come from system "
            f"{needed_system}, not {claims.roles[1].code_system}",
        ))


def claim_problems(claims: VihfClaims, sets: VihfValueSets | None = None) -> list[ClaimProblem]:
    """Every problem of ``claims`` (empty when they make a valid DMP VIHF)."""
    sets = sets or vihf_value_sets()
    problems: list[ClaimProblem] = []
    if claims.vihf_version not in SUPPORTED_VIHF_VERSIONS:
        problems.append(ClaimProblem(
            AttributeName.VIHF_VERSION.value,
            f"{claims.vihf_version!r} is not one of {', '.join(SUPPORTED_VIHF_VERSIONS)}",
        ))
    if not _NO_SPACE.match(claims.name_id):
        problems.append(ClaimProblem("NameID", "must be a non-empty identifier without spaces"))
    _required_text(problems, AttributeName.SUBJECT_ID.value, claims.subject_id)
    _roles(claims, sets, problems)
    sector = claims.secteur_activite
    if not sets.contains(J61, sector.code, sector.code_system):
        problems.append(ClaimProblem(
            AttributeName.SECTEUR_ACTIVITE.value,
            f"{sector.code}^{sector.code_system} is not in JDV_J61-HealthcareFacilityTypeCode-DMP",
        ))
    if not re.match(r"^[0-9A-Za-z]+$", claims.identifiant_structure):
        problems.append(ClaimProblem(
            AttributeName.IDENTIFIANT_STRUCTURE.value,
            f"{claims.identifiant_structure!r} is not a Struct_IdNat (letters and digits)",
        ))
    if claims.resource_id is not None:
        for message in ins_problems(claims.resource_id.matricule, claims.resource_id.oid):
            problems.append(ClaimProblem(AttributeName.RESOURCE_ID.value, message))
    if claims.ressource_urn != "urn:dmp":
        problems.append(ClaimProblem(
            AttributeName.RESSOURCE_URN.value, f"must be 'urn:dmp', not {claims.ressource_urn!r}"
        ))
    if not sets.contains(J38, str(claims.purpose_of_use), OID_MODE_ACCES):
        problems.append(ClaimProblem(
            AttributeName.PURPOSE_OF_USE.value,
            f"{claims.purpose_of_use!r} is not in JDV_J38-ModeAcces",
        ))
    code = claims.confidentiality_code
    if code is not None and not sets.contains(J64, code.code, code.code_system):
        problems.append(ClaimProblem(
            AttributeName.CONFIDENTIALITY_CODE.value,
            f"{code.code}^{code.code_system} is not in JDV_J64-RestrictionAudienceVIHF-DMP",
        ))
    _required_text(problems, AttributeName.LPS_NOM.value, claims.lps_nom)
    _required_text(problems, AttributeName.LPS_VERSION.value, claims.lps_version)
    if claims.lps_id is not None:
        _required_text(problems, AttributeName.LPS_ID.value, claims.lps_id)
    _required_text(
        problems, AttributeName.LPS_ID_HOMOLOGATION_DMP.value, claims.lps_id_homologation_dmp
    )
    return problems


def check_claims(claims: VihfClaims, sets: VihfValueSets | None = None) -> None:
    """Raise :class:`VihfClaimsError` listing every problem, if any."""
    problems = claim_problems(claims, sets)
    if problems:
        raise VihfClaimsError(problems)
