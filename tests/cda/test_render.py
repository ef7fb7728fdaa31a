"""HTML rendering: header items, embedded PDF, safe narrative."""

from __future__ import annotations

import base64
from pathlib import Path

from dmpkit.cda.builder import N1Builder
from dmpkit.cda.render import render_html
from dmpkit.cda.samples import minimal_pdf, sample_document


def test_n1_example_shows_header_and_embedded_pdf(examples_dir: Path) -> None:
    data = (examples_dir / "DOC_NON_STRUCTURE_CDA-R2-N1.xml").read_bytes()
    html = render_html(data)
    for expected in ("Compte rendu d&#39;examens biologiques", "PAT-TROIS", "279035121518989",
                     "INS-NIR (test)", "Marcel CAMPARINI", "Laboratoire des charmes",
                     "01/04/2021 13:47", "Normal", "Féminin", "28/03/1979"):
        assert expected in html, expected
    assert '<object class="body-file" type="application/pdf" data="data:application/pdf;base64,'\
        in html


def test_structured_sections_are_rendered(examples_dir: Path) -> None:
    html = render_html((examples_dir / "LDL-SES_2022.01.xml").read_bytes())
    assert html.count('<section class="cda">') >= 3
    assert "<table" in html and "<td" in html


def test_built_pdf_round_trips_through_the_data_url() -> None:
    pdf = minimal_pdf(1)
    html = render_html(N1Builder().build(sample_document(content=pdf)).xml)
    assert base64.b64encode(pdf).decode() in html


def test_hostile_narrative_is_neutralised() -> None:
    document = (
        b'<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:h="http://www.w3.org/1999/xhtml">'
        b"<title>&lt;script&gt;alert(1)&lt;/script&gt;</title><component><structuredBody>"
        b"<component><section><title>S</title><text><paragraph>ok "
        b'<h:script>alert(2)</h:script><content onclick="x()">c</content>'
        b'<linkHtml href="javascript:alert(3)">lien</linkHtml>'
        b'<td colspan="2 onmouseover=x">z</td></paragraph></text></section></component>'
        b"</structuredBody></component></ClinicalDocument>")
    html = render_html(document)
    assert "<script" not in html and "onclick" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(1)" in html
    assert "<p>ok alert(2)<span>c</span>lien<td>z</td></p>" in html
    assert "Content-Security-Policy" in html
