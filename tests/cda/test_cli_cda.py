"""``dmpkit cda make | validate | render``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from dmpkit.cda.samples import minimal_pdf
from dmpkit.cda.schematron.runner import CompiledSchematron
from dmpkit.cli import main


def test_make_validate_render(tmp_path: Path, header_schematron: CompiledSchematron) -> None:
    pdf = tmp_path / "cr.pdf"
    pdf.write_bytes(minimal_pdf(None))
    cda = tmp_path / "cr.xml"
    runner = CliRunner()
    made = runner.invoke(main, ["cda", "make", str(pdf), "-o", str(cda), "--sample-header"])
    assert made.exit_code == 0, made.output
    assert "urn:ihe:iti:xds-sd:pdf:2008" in made.output
    assert "CDA-N1-PDFA" in made.output  # the plain-PDF warning, on stderr
    checked = runner.invoke(main, ["cda", "validate", str(cda)])
    assert checked.exit_code == 0, checked.output
    assert "layer header: passed" in checked.output
    page = tmp_path / "cr.html"
    rendered = runner.invoke(main, ["cda", "render", str(cda), "-o", str(page)])
    assert rendered.exit_code == 0 and "data:application/pdf;base64," in page.read_text("utf-8")


def test_validate_prints_layer_rule_location_and_fails(
        tmp_path: Path, examples_dir: Path, header_schematron: CompiledSchematron) -> None:
    broken = tmp_path / "broken.xml"
    text = (examples_dir / "DOC_NON_STRUCTURE_CDA-R2-N1.xml").read_text("utf-8")
    broken.write_text(text.replace('<realmCode code="FR"/>', ""), encoding="utf-8")
    result = CliRunner().invoke(main, ["cda", "validate", str(broken),
                                       str(examples_dir / "TLM-CR_2022.01.xml")])
    assert result.exit_code == 1
    assert "FAIL broken.xml" in result.output and "PASS TLM-CR_2022.01.xml" in result.output
    assert "layer=header rule=" in result.output
    assert "at      /cda:ClinicalDocument[1]" in result.output
    as_json = CliRunner().invoke(main, ["cda", "validate", "--json", str(broken)])
    assert as_json.exit_code == 1
    (report,) = json.loads(as_json.output)
    header = next(layer for layer in report["layers"] if layer["layer"] == "header")
    assert header["status"] == "failed"
    assert any("realmCode" in f["allowed"] and f["layer"] == "header"
               for f in header["findings"])


def test_validate_not_run_layer_is_no_pass(examples_dir: Path,
                                           header_schematron: CompiledSchematron) -> None:
    result = CliRunner().invoke(main, [
        "cda", "validate", "--layer", "document-type", "--schematron",
        "schematron-cisis/schematrons/CI-SIS_BIO-CR-BIO_2023.01.sch",
        str(examples_dir / "BIO-CR-BIO_2024.01_TSH_1.xml")])
    assert result.exit_code == 1
    assert "layer document-type: not run" in result.output
    assert "upstream defect" in result.output


def test_validate_prints_notes_of_handled_defects(examples_dir: Path,
                                                  header_schematron: CompiledSchematron) -> None:
    result = CliRunner().invoke(main, ["cda", "validate", "--layer", "document-type",
                                       str(examples_dir / "CNAM-HR_2021.01.xml")])
    assert result.exit_code == 0, result.output
    assert "note: upstream defect handled" in result.output


def test_make_from_a_header_file(tmp_path: Path, header_schematron: CompiledSchematron) -> None:
    text = tmp_path / "note.txt"
    text.write_text("Consultation du 5 mars.\n", encoding="utf-8")
    cda = tmp_path / "note.xml"
    header = Path(__file__).parent / "data" / "header.toml"
    made = CliRunner().invoke(main, ["cda", "make", str(text), "-o", str(cda),
                                     "--header", str(header)])
    assert made.exit_code == 0, made.output
    assert "urn:ihe:iti:xds-sd:text:2008" in made.output
    checked = CliRunner().invoke(main, ["cda", "validate", "--json", str(cda)])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)[0]["passed"] is True


def test_make_needs_exactly_one_header(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(minimal_pdf(1))
    result = CliRunner().invoke(main, ["cda", "make", str(pdf), "-o", str(tmp_path / "a.xml")])
    assert result.exit_code == 2 and "exactly one of" in result.output


def test_header_file_errors_name_the_key(tmp_path: Path) -> None:
    header = tmp_path / "h.toml"
    source = (Path(__file__).parent / "data" / "header.toml").read_text("utf-8")
    header.write_text(source.replace('birth_place_cog = "51215"\n', ""), encoding="utf-8")
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(minimal_pdf(1))
    result = CliRunner().invoke(main, ["cda", "make", str(pdf), "-o", str(tmp_path / "a.xml"),
                                       "--header", str(header)])
    assert result.exit_code == 1 and "[patient] birth_place_cog is missing" in result.output
