"""HL7 v2 XCN/XON/CX as the DMP writes them (REFERENCE §3.3), escaping both ways."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dmpkit.identifiers import Cwe, Cx, Hd, Hl7v2FormatError, Xcn, Xon, escape, unescape
from dmpkit.identifiers.idnat import IdNatPs, IdNatStructure

XCN_PS = "899900063480^MAX^LIBRE^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"
XON = "HOPITAL DES 3 VALLEES00771^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^10B0007712"


def test_xcn_of_a_professional_reads_components() -> None:
    xcn = Xcn.parse(XCN_PS)
    assert (xcn.id_number, xcn.family_name, xcn.given_name) == ("899900063480", "MAX", "LIBRE")
    assert xcn.assigning_authority == Hd("", "1.2.250.1.71.4.2.1", "ISO")
    assert (xcn.name_type_code, xcn.identifier_type_code) == ("D", "IDNPS")
    assert xcn.format() == XCN_PS


def test_xon_identifier_is_component_10() -> None:
    xon = Xon.parse(XON)
    assert xon.organization_name == "HOPITAL DES 3 VALLEES00771"
    assert xon.identifier == "10B0007712"
    assert xon.format() == XON


def test_delimiters_inside_values_are_escaped() -> None:
    xcn = Xcn("1", "DUPONT^MARTIN", "A&B", "x\\y")
    text = xcn.format()
    assert text == "1^DUPONT\\S\\MARTIN^A\\T\\B^x\\E\\y"
    assert Xcn.parse(text) == xcn


def test_too_many_components_is_a_typed_error() -> None:
    with pytest.raises(Hl7v2FormatError):
        Cwe.parse("a^b^c^d")


def test_unknown_escape_is_kept_verbatim() -> None:
    assert unescape("a\\X0D\\b") == "a\\X0D\\b"


@given(st.text())
def test_escape_round_trips(text: str) -> None:
    assert unescape(escape(text)) == text


@given(st.builds(Cx, st.text(), st.text(), st.text(), st.builds(Hd, st.text(), st.text(),
                                                                  st.text()), st.text()))
def test_cx_round_trips(cx: Cx) -> None:
    assert Cx.parse(cx.format()) == cx


@pytest.mark.parametrize(("value", "ok"), [
    ("899900063480", True),   # 8 + RPPS (REFERENCE §3.3 sample)
    ("0123456789", True),     # 0 + ADELI
    ("3750100018/12345", True),  # 3 + FINESS / internal id (the '/' form of the LM text)
    ("81234", False),         # RPPS must be 11 digits
    ("7123", False),          # 7 is not a PS prefix
])
def test_ps_idnat(value: str, ok: bool) -> None:
    assert (IdNatPs(value).problems() == []) is ok


@pytest.mark.parametrize(("value", "ok"), [
    ("10B0007712", True),     # 1 + FINESS with Corsica letter (REFERENCE §3.3 sample)
    ("3" + "1" * 14, True),   # SIRET
    ("2123", False),          # SIREN must be 9 digits
    ("9123", False),
])
def test_structure_idnat(value: str, ok: bool) -> None:
    assert (IdNatStructure(value).problems() == []) is ok
