"""ITI-18 response decoding: dedicated lxml decoder vs a plain parse vs generated classes.

Run: ``.venv/bin/python bench/bench_metadata_decode.py [ENTRIES]``. Builds an
AdhocQueryResponse with ENTRIES (default 1,000) DMP-style DocumentEntries, then prints, as
ratios to the hardened lxml parse of the same bytes measured in this run:

* the dedicated decoder (parse + walk into the model), target ≤ 4×;
* the generic generated-class path (``dmpkit.bindings.parse``), for comparison.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from lxml import etree

from dmpkit import bindings, testmode
from dmpkit.identifiers import Cwe, Cx, Hd, Xcn, Xon
from dmpkit.metadata import Author, CodedValue, DocumentEntry, XdsMetadata
from dmpkit.metadata import ebrim_map as m
from dmpkit.query import build_response, parse_response
from dmpkit.xmlparse import parse_xml

RUNS = 7


def _entry() -> DocumentEntry:
    ins = Cx("207058575627097", assigning_authority=Hd.iso("1.2.250.1.213.1.4.10"),
             identifier_type_code="NH")
    author = Author(
        Xcn.parse("899900063480^MAX^LIBRE^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"),
        [Xon.parse("HOPITAL^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^10B0007712")],
        [], [Cwe("G15_10/SM04", "Cardiologie", "1.2.250.1.213.1.1.4.5")])
    uuid = f"urn:uuid:{testmode.new_uuid()}"
    return DocumentEntry(
        entry_uuid=uuid, logical_id=uuid, version="1", unique_id=f"1.2.250.1.999.{id(uuid)}",
        patient_id=ins, mime_type="text/xml", availability_status=m.APPROVED,
        title="CR de consultation", authors=[author],
        class_code=CodedValue("10", "1.2.250.1.213.1.1.4.1", "Compte rendu"),
        type_code=CodedValue("11488-4", "2.16.840.1.113883.6.1", "CR de consultation"),
        format_code=CodedValue("urn:ihe:iti:xds-sd:pdf:2008", "1.3.6.1.4.1.19376.1.2.3"),
        healthcare_facility_type_code=CodedValue("SA01", "1.2.250.1.71.4.2.4", "EPS"),
        practice_setting_code=CodedValue("ETABLISSEMENT", "1.2.250.1.213.1.1.4.9"),
        confidentiality_codes=[CodedValue("N", "2.16.840.1.113883.5.25", "Normal")],
        creation_time="20240101120000", service_start_time="20240101100000",
        language_code="fr-FR", hash="da39a3ee5e6b4b0d3255bfef95601890afd80709", size=1234,
        repository_unique_id="1.2.250.1.213.4.1.1.1.2", source_patient_id=ins,
        source_patient_info=["PID-5|DUPONT^JEAN^^^^^L", "PID-7|19600101", "PID-8|M"],
        legal_authenticator=author.person)


def _best(action: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main(entries: int) -> None:
    testmode.enable(seed=7)
    response = build_response(XdsMetadata(documents=[_entry() for _ in range(entries)]))
    data = etree.tostring(response, encoding="UTF-8")
    testmode.disable()
    result = parse_response(data)
    assert len(result.metadata.documents) == entries and not result.problems

    raw = _best(lambda: parse_xml(data))
    dedicated = _best(lambda: parse_response(data))
    generic = _best(lambda: bindings.parse(data))
    print(f"ITI-18 response: {entries} DocumentEntries, {len(data) / 1e6:.1f} MB")
    print(f"hardened lxml parse        1.0x  ({raw * 1e3:.0f} ms)")
    print(f"dedicated decoder (model)  {dedicated / raw:.1f}x  (target <= 4x)")
    print(f"generated classes          {generic / raw:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
