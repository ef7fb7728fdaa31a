"""The templateId → schematron table (data) against the spec store and the examples."""

from __future__ import annotations

from pathlib import Path

import pytest

import dmpkit.cda
from dmpkit.cda.schematron.table import load_table
from dmpkit.xmlparse import parse_xml_file

C = "{urn:hl7-org:v3}"


def test_every_schematron_of_the_table_is_in_the_store(spec_store: Path) -> None:
    table = load_table()
    assert (spec_store / table.header).is_file()
    assert len(table.document_types) >= 40
    for row in table.document_types:
        for relative in row.schematrons:
            assert (spec_store / relative).is_file(), relative


@pytest.mark.parametrize(("example", "schematron"), [
    ("VSM_1.4_2022.01.xml", "CI-SIS_VSM_2023.01.sch"),
    ("BIO-CR-BIO_2024.01_TSH_1.xml", "CI-SIS_BIO-CR-BIO_2024.01.sch"),
    ("TLM-CR_2022.01.xml", "CI-SIS_TLM-CR_2022.01.sch"),
    ("eP-MED-DM_2024.01_PosoStruct.xml", "CI-SIS_EP-MED-DM_2024.01.sch"),
    ("CSE-MDE_2023.01.xml", "CI-SIS_CSE-MDE_2023.01.sch"),
    ("DOC_NON_STRUCTURE_CDA-R2-N1.xml", None),
])
def test_document_type_is_picked_from_the_last_template_and_code(
        examples_dir: Path, example: str, schematron: str | None) -> None:
    root = parse_xml_file(examples_dir / example)
    code = root.find(C + "code")
    row = load_table().document_type_for(
        [t.get("root", "") for t in root.findall(C + "templateId")],
        code.get("code") if code is not None else None)
    if schematron is None:
        assert row is None
    else:
        assert row is not None and row.schematrons[0].endswith(schematron)


def test_public_names_resolve() -> None:
    for name in dmpkit.cda.__all__:
        assert getattr(dmpkit.cda, name) is not None
    with pytest.raises(AttributeError):
        _ = dmpkit.cda.nothing_here
