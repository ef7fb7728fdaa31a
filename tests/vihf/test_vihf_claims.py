"""Claim checks against REFERENCE §2.3, §5 and the public value sets (J65, J61, J38, J64)."""

from __future__ import annotations

import dataclasses

import pytest

from dmpkit.pki import TestPki
from dmpkit.vihf import (
    CodedValue,
    InsIdentifier,
    VihfClaims,
    VihfClaimsError,
    VihfSigner,
    claim_problems,
    ins_key,
)

MEDECIN = CodedValue("10", "1.2.250.1.71.1.2.7", "Médecin")
PHARMACIEN = CodedValue("21", "1.2.250.1.71.1.2.7", "Pharmacien")
SM26 = CodedValue("SM26", "1.2.250.1.71.4.2.5")
CNOP_G = CodedValue("G", "1.2.250.1.71.4.2.6")
AUTOMATE = CodedValue("AUTOMATE", "1.2.250.1.213.1.1.4.6")


def _attributes(**changes: object) -> list[str]:
    claims = dataclasses.replace(VihfClaims(), **changes)  # type: ignore[arg-type]
    return [problem.attribute for problem in claim_problems(claims)]


def test_defaults_are_a_valid_vihf() -> None:
    assert claim_problems(VihfClaims()) == []


@pytest.mark.parametrize(
    "roles",
    [(PHARMACIEN, CNOP_G), (AUTOMATE,), (MEDECIN, SM26), (CodedValue("60", "1.2.250.1.71.1.2.7"),)],
)
def test_roles_from_j65_are_accepted(roles: tuple[CodedValue, ...]) -> None:
    assert _attributes(roles=roles) == []


def test_medecin_needs_a_savoir_faire() -> None:
    assert _attributes(roles=(MEDECIN,)) == ["urn:oasis:names:tc:xacml:2.0:subject:role[2]"]


def test_pharmacien_needs_a_cnop_section_not_a_specialty() -> None:
    assert _attributes(roles=(PHARMACIEN, SM26)) == [
        "urn:oasis:names:tc:xacml:2.0:subject:role[2]"]


def test_cpf_profession_is_rejected_as_j65_comments_it_out() -> None:
    student = CodedValue("10", "1.2.250.1.71.1.2.8", "Médecin en formation")
    assert _attributes(roles=(student,)) == ["urn:oasis:names:tc:xacml:2.0:subject:role[1]"]


def test_secteur_activite_from_j61_including_the_non_ps_code() -> None:
    assert _attributes(secteur_activite=CodedValue("SA07", "1.2.250.1.71.4.2.4")) == []
    assert _attributes(secteur_activite=CodedValue("EXP_PATIENT", "1.2.250.1.213.1.1.4.6")) == []
    assert _attributes(secteur_activite=CodedValue("SA07", "1.2.250.1.213.1.1.4.6")) == [
        "Secteur_Activite"]


def test_connexion_secrete_code_from_j64() -> None:
    secret = CodedValue("INVISIBLE_REPRESENTANTS_LEGAUX", "1.2.250.1.213.1.1.4.13")
    assert _attributes(confidentiality_code=secret) == []
    assert _attributes(confidentiality_code=CodedValue("INVISIBLE_PATIENT",
                                                       "1.2.250.1.213.1.1.4.13")) == [
        "urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code"]


@pytest.mark.parametrize("matricule", ["207058575627097", "277076322082910", "279035121518989"])
def test_test_platform_patients_pass_the_ins_key_check(matricule: str) -> None:
    # the DMP test patients cited in REFERENCE §5
    assert _attributes(resource_id=InsIdentifier(matricule, "1.2.250.1.213.1.4.10")) == []


def test_corsican_nir_key_replaces_2a_and_2b() -> None:
    # INSEE rule: 2A counts as 19 and 2B as 18 before the modulo
    assert ins_key("185072A123456") == 97 - 1850719123456 % 97
    assert ins_key("185072B123456") == 97 - 1850718123456 % 97
    matricule = "185072A123456" + f"{ins_key('185072A123456'):02d}"
    assert _attributes(resource_id=InsIdentifier(matricule, "1.2.250.1.213.1.4.8")) == []


def test_ins_problems_are_reported() -> None:
    bad = InsIdentifier("279035121518988", "1.2.250.1.213.1.4.2")  # wrong key, legacy INS-C OID
    assert _attributes(resource_id=bad) == [
        "urn:oasis:names:tc:xacml:2.0:resource:resource-id"] * 2


def test_ins_cx_round_trip() -> None:
    ins = InsIdentifier.from_cx("207058575627097^^^&1.2.250.1.213.1.4.10&ISO^NH")
    assert ins == InsIdentifier("207058575627097", "1.2.250.1.213.1.4.10")
    with pytest.raises(ValueError, match=r"<matricule>\^\^\^&<OID>&ISO\^NH"):
        InsIdentifier.from_cx("207058575627097^^^1.2.250.1.213.1.4.10")


def test_every_problem_is_listed_at_once(pki: TestPki) -> None:
    claims = dataclasses.replace(
        VihfClaims(), roles=(MEDECIN,), ressource_urn="urn:autre", lps_nom="",
        lps_id_homologation_dmp=" ", vihf_version="2.0", name_id="8999 00077985")
    with pytest.raises(VihfClaimsError) as caught:
        VihfSigner.from_certified_key(pki.sign).sign(claims)
    assert sorted(p.attribute for p in caught.value.problems) == sorted([
        "urn:oasis:names:tc:xacml:2.0:subject:role[2]", "Ressource_URN", "LPS_Nom",
        "LPS_ID_HOMOLOGATION_DMP", "VIHF_Version", "NameID"])
    assert "Ressource_URN" in str(caught.value)
