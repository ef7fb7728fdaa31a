"""CDA validation: all three layers on a ~1 MB CDA, as a ratio to libxml2 XSD validation alone.

The document is the ANS example ``LDL-SES_2022.01.xml`` with its structured-body sections
repeated until it reaches the target size (it stays XSD-valid). Printed, all from one run:

* cold start: writing the XSLT of each schematron (fresh disk cache) and Saxon's compile;
* warm: the median of N runs of each layer (XSD, header schematron, document-type
  schematron) and of the whole validation, each as a ratio to libxml2 validating the same
  parsed tree against ``CDA_extended.xsd`` alone.

Run: ``.venv/bin/python bench/bench_cda_validate.py [--size-mb 1.0] [--runs 5]``
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import tempfile
import time
from collections.abc import Callable

from lxml import etree

from dmpkit.cda.schematron.runner import compile_schematron, run_schematron
from dmpkit.cda.schematron.table import load_table
from dmpkit.cda.validation import validate_cda
from dmpkit.specstore import spec_path
from dmpkit.xmlparse import parse_xml
from dmpkit.xsdvalidate import validate as xsd_validate

C = "{urn:hl7-org:v3}"


def _big_document(size: int) -> bytes:
    root = parse_xml(spec_path("examples/cda/LDL-SES_2022.01.xml").read_bytes())
    body = root.find(f"{C}component/{C}structuredBody")
    assert body is not None
    sections = list(body.findall(f"{C}component"))
    data = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
    while len(data) < size:
        for section in sections:
            body.append(copy.deepcopy(section))
        data = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
    return bytes(data)


def _median(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    data = _big_document(int(options.size_mb * 1024 * 1024))
    root = parse_xml(data)
    table = load_table()
    volet = "schematron-cisis/schematrons/CI-SIS_LDL-SES_2022.01.sch"
    print(f"document: {len(data) / 1024 / 1024:.2f} MB, {sum(1 for _ in root.iter())} nodes")

    with tempfile.TemporaryDirectory() as cache:
        os.environ["DMPKIT_SCHEMATRON_CACHE"] = cache
        for name, relative in (("header", table.header), ("document-type", volet)):
            compiled = compile_schematron(relative)
            print(f"cold {name:14} sch->xslt {compiled.seconds_to_xslt:6.2f} s, "
                  f"Saxon compile {compiled.seconds_saxon_compile:6.2f} s "
                  f"({compiled.xslt_path.stat().st_size / 1024:.0f} KB of XSLT)")
        header = compile_schematron(table.header)
        document_type = compile_schematron(volet)

        xsd_validate(root, "cda-ans/CDA_extended.xsd")  # load the schema once
        baseline = _median(lambda: xsd_validate(root, "cda-ans/CDA_extended.xsd"), options.runs)
        print(f"libxml2 XSD alone (baseline): {baseline * 1000:8.1f} ms")
        steps: dict[str, Callable[[], object]] = {
            "xsd layer (parse + validate)": lambda: xsd_validate(parse_xml(data),
                                                                 "cda-ans/CDA_extended.xsd"),
            "header schematron": lambda: run_schematron(header, data),
            "document-type schematron": lambda: run_schematron(document_type, data),
            "all layers (validate_cda)": lambda: validate_cda(data),
        }
        for label, action in steps.items():
            action()  # warm
            seconds = _median(action, options.runs)
            print(f"{label:30} {seconds * 1000:8.1f} ms  = {seconds / baseline:7.1f} x baseline")


if __name__ == "__main__":
    main()
