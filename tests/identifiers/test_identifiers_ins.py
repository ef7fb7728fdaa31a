"""INS: key check and authorities (REFERENCE §5) on the test patients of the DMP platform."""

from __future__ import annotations

import pytest

from dmpkit.identifiers import INS_AUTHORITIES, Ins, InsError, InsKind, nir_key

# Test patients quoted by REFERENCE §5 (observed on the DMP test platform, OID .10).
PLATFORM_PATIENTS = ["207058575627097", "277076322082910", "279035121518989"]


@pytest.mark.parametrize("matricule", PLATFORM_PATIENTS)
def test_platform_test_patients_have_valid_keys(matricule: str) -> None:
    assert Ins(matricule).problems() == []
    assert nir_key(matricule[:13]) == int(matricule[13:])


def test_corsica_departments_count_as_19_and_18() -> None:
    # 2A and 2B replace the department by 19 and 18 before the modulo (INSEE rule).
    body_2a = "185052A123456"
    assert nir_key(body_2a) == 97 - int("1850519123456") % 97
    assert nir_key("185052B123456") == 97 - int("1850518123456") % 97
    assert Ins.from_nir(body_2a).problems() == []


def test_wrong_key_is_reported_with_the_expected_one() -> None:
    problems = Ins("207058575627098").problems()
    assert problems == ["key 98 is wrong (expected 97)"]


def test_authorities_tell_nir_from_nia_and_environment() -> None:
    assert INS_AUTHORITIES["1.2.250.1.213.1.4.8"].kind is InsKind.NIR
    assert INS_AUTHORITIES["1.2.250.1.213.1.4.9"].kind is InsKind.NIA
    assert INS_AUTHORITIES["1.2.250.1.213.1.4.10"].environment == "test"
    assert INS_AUTHORITIES["1.2.250.1.213.1.4.11"].environment == "demo"


def test_legacy_ins_c_and_foreign_oids_are_refused() -> None:
    assert "legacy INS-C" in Ins("207058575627097", "1.2.250.1.213.1.4.2").problems()[0]
    assert "not an INS authority" in Ins("207058575627097", "1.2.3").problems()[0]


def test_cx_form_round_trips_and_checks_type() -> None:
    text = "207058575627097^^^&1.2.250.1.213.1.4.10&ISO^NH"  # REFERENCE §3.3 example
    ins = Ins.from_cx(text)
    assert ins == Ins("207058575627097", "1.2.250.1.213.1.4.10")
    assert ins.to_cx() == text
    assert Ins.cx_problems(text) == []
    assert any("CX.5" in p for p in Ins.cx_problems(text.replace("^NH", "^PI")))


def test_check_raises_a_typed_error_listing_every_problem() -> None:
    with pytest.raises(InsError) as caught:
        Ins("20705857562709X", "1.2.3").check()
    assert len(caught.value.problems) == 2
