"""dmpkit.valuesets.registry: lookup by name/OID, codes, search, DMP precedence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from valuesets_sources import fhir_document

from dmpkit.valuesets import (
    Registry,
    UnknownCodeError,
    UnknownMetadataItemError,
    UnknownValueSetError,
    ValueSetsNotGeneratedError,
    registry,
)

LOINC = "2.16.840.1.113883.6.1"
TRE_A07 = "1.2.250.1.213.1.1.4.13"


def test_listing_does_not_import_the_sets() -> None:
    # A fresh interpreter: other tests of this session have loaded sets already.
    probe = (
        "import sys; from dmpkit.valuesets import registry; n = len(registry.list()); "
        "print(n, sorted(m for m in sys.modules if m.startswith('dmpkit_bindings.valuesets.')))"
    )
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.split(maxsplit=1)
    assert int(output[0]) > 70
    loaded = output[1].strip()
    assert loaded == "['dmpkit_bindings.valuesets._index', 'dmpkit_bindings.valuesets._model']"


@pytest.mark.parametrize("query", [
    "JDV_J66-TypeCode-DMP", "jdv_j66_typecode_dmp", "J66", "jdv j66 typecode dmp",
    "1.2.250.1.213.1.1.5.7", "urn:oid:1.2.250.1.213.1.1.5.7",
])
def test_a_set_is_found_by_any_spelling_of_its_name_or_oid(query: str) -> None:
    assert registry.get(query).name == "JDV_J66-TypeCode-DMP"


def test_codes_stated_by_the_reference_are_in_their_sets() -> None:
    assert registry.contains("J66", "34874-8", LOINC)  # CR opératoire (README-fr)
    assert registry.contains("J66", "11502-2", LOINC)
    assert registry.contains("J66", "11490-0")
    assert not registry.contains("J66", "34874-8", TRE_A07)  # right code, wrong system
    assert registry.contains("J58", "MASQUE_PS", TRE_A07)
    assert registry.contains("J58", "MASQUE_PS", f"urn:oid:{TRE_A07}")
    assert not registry.contains("J58", "MASQUE_PT")  # in TRE_A07, not in J58 (§3.4)
    assert registry.contains("J60", "urn:ihe:iti:xds-sd:pdf:2008", "1.3.6.1.4.1.19376.1.2.3")
    assert registry.contains("J65", "10", "1.2.250.1.71.1.2.7")  # Médecin


def test_display_is_the_one_in_the_file(nos_dir: Path) -> None:
    document = fhir_document(nos_dir / "fhir-json" /
                             "ValueSet-JDV-J58-ConfidentialityCode-DMP.json")
    stated = {c["code"]: c["display"] for i in document["compose"]["include"] for c in i["concept"]}
    for code, display in stated.items():
        assert registry.display("J58", code) == display


def test_an_unknown_code_gets_the_nearest_ones() -> None:
    with pytest.raises(UnknownCodeError) as caught:
        registry.display("J66", "34874")
    assert caught.value.suggestions[0] == "34874-8"
    assert "JDV_J66-TypeCode-DMP" in str(caught.value)
    assert [c.code for c in registry.nearest("MASQUE-PS", "J58", n=1)] == ["MASQUE_PS"]


def test_an_unknown_set_names_close_ones() -> None:
    with pytest.raises(UnknownValueSetError) as caught:
        registry.get("J67")
    assert "JDV_J66-TypeCode-DMP" in caught.value.suggestions
    with pytest.raises(UnknownValueSetError) as caught:
        registry.get("TypeCode-DMP")
    assert caught.value.suggestions[0] == "JDV_J66-TypeCode-DMP"
    with pytest.raises(UnknownValueSetError, match="association table"):
        registry.get("ASS_X16")


@pytest.mark.parametrize(("text", "expected"), [
    ("Médecine générale", ("JDV_J56-AuthorSpecialty-DMP", "G15_10/SM26")),
    ("medecine GENERALE", ("JDV_J56-AuthorSpecialty-DMP", "G15_10/SM26")),
    ("imagerie", ("JDV_J57-ClassCode-DMP", "31")),  # 31 "Imagerie médicale" (§3.2)
    ("34874-8", ("JDV_J66-TypeCode-DMP", "34874-8")),
])
def test_search_ignores_case_and_accents(text: str, expected: tuple[str, str]) -> None:
    found = {(hit.value_set.name, hit.concept.code) for hit in registry.search(text)}
    assert expected in found
    assert registry.search(text, limit=1)[:1] == registry.search(text)[:1]


def test_search_without_words_finds_nothing() -> None:
    assert registry.search("   ") == []


@pytest.mark.parametrize(("item", "dmp_set"), [
    ("typeCode", "JDV_J66-TypeCode-DMP"),
    ("classCode", "JDV_J57-ClassCode-DMP"),
    ("formatCode", "JDV_J60-FormatCode-DMP"),
    ("healthcareFacilityTypeCode", "JDV_J61-HealthcareFacilityTypeCode-DMP"),
    ("practiceSettingCode", "JDV_J62-PracticeSettingCode-DMP"),
    ("confidentialityCode", "JDV_J58-ConfidentialityCode-DMP"),
    ("authorSpecialty", "JDV_J56-AuthorSpecialty-DMP"),
    ("contentTypeCode", "JDV_J59-ContentTypeCode-DMP"),
])
def test_the_dmp_set_takes_precedence(item: str, dmp_set: str) -> None:
    binding = registry.binding(item)
    assert registry.for_metadata(item).name == dmp_set
    assert binding.cisis_oid is not None
    assert registry.get(binding.cisis_oid).name.endswith("-CISIS")
    assert binding.certainty == "C"


def test_an_item_without_dmp_set_falls_back_to_cisis() -> None:
    assert registry.for_metadata("authorRole").name == "JDV_J47-FunctionCode-CISIS"


def test_an_unknown_item_lists_the_known_ones() -> None:
    with pytest.raises(UnknownMetadataItemError) as caught:
        registry.for_metadata("eventCodeList")
    assert "typeCode" in caught.value.known


def test_every_dmp_type_code_derives_a_dmp_class_code(nos_dir: Path) -> None:
    # ASS_X16 read independently: typeCode -> classCode pairs.
    document = fhir_document(nos_dir / "fhir-json" /
                             "ConceptMap-ASS-X16-CorrespondanceType-Classe-DMP.json")
    stated = {e["code"]: e["target"][0]["code"] for g in document["group"] for e in g["element"]}
    j57 = registry.for_metadata("classCode")
    for concept in registry.for_metadata("typeCode").concepts:
        derived = registry.derive("classCode", concept.code, concept.code_system)
        assert [c.code for c in derived] == [stated[concept.code]]
        assert j57.contains(derived[0].code, derived[0].code_system)
        assert derived[0].display is not None


def test_a_pdf_document_model_derives_the_pdf_format_code() -> None:
    derived = registry.derive("formatCode", "1.3.6.1.4.1.19376.1.2.20")
    assert "urn:ihe:iti:xds-sd:pdf:2008" in [c.code for c in derived]


def test_the_vihf_purpose_of_use_system_is_accepted() -> None:
    # Tokens carry 1.2.250.1.213.1.1.4.248; the FHIR build gives TRE_R248 .4.336 (§2.3).
    modes = registry.for_metadata("vihf:purposeofuse")
    assert modes.contains("bris_de_glace", "1.2.250.1.213.1.1.4.248")
    assert modes.contains("bris_de_glace", "1.2.250.1.213.1.1.4.336")
    assert not modes.contains("bris_de_glace", "1.2.250.1.213.1.1.4.1")


def test_the_newest_publication_wins_a_shared_name() -> None:
    table = registry.mapping("1.2.250.1.213.1.1.4.331")
    assert table.info.kind == "SVS MappedConceptList"  # dateMaj 2024-01-26 over 2023-02-17
    assert len([i for i in registry.list() if i.oid == table.info.oid]) == 2


def test_a_missing_generated_package_is_a_typed_error() -> None:
    with pytest.raises(ValueSetsNotGeneratedError, match="codegen regen"):
        Registry("dmpkit_bindings.no_such_package").list()
