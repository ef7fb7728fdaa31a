"""Findings: one shape shared by every validator, readable in a terminal and as JSON."""

from __future__ import annotations

import json

from dmpkit.findings import Finding, Severity, findings_to_json, format_findings, has_errors

TYPO = Finding(Severity.ERROR, "DMP-DE-TYPECODE-VS", "XDSRegistryMetadataError",
               "DocumentEntry.typeCode", "rim:ExtrinsicObject[@id='Document01']", "11488-5",
               "a code of JDV_J66-TypeCode-DMP", "pick a code of JDV_J66",
               (("11488-4", "CR ou fiche de consultation ou de visite"),))
MISSING = Finding(Severity.WARNING, "DMP-DE-SOURCEPATIENTINFO-CARD", "XDSRegistryMetadataError",
                  "DocumentEntry.sourcePatientInfo", "x", None, "1..* occurrence(s)")


def test_terminal_form_names_every_part() -> None:
    text = format_findings([TYPO, MISSING])
    for part in ("ERROR DMP-DE-TYPECODE-VS [XDSRegistryMetadataError]", "'11488-5'",
                 "nearest 11488-4 (CR ou fiche", "(missing)", "1 error(s), 1 warning(s)"):
        assert part in text


def test_json_form_is_plain_data() -> None:
    [typo, missing] = json.loads(findings_to_json([TYPO, MISSING]))
    assert typo["severity"] == "error" and typo["nearest"][0]["code"] == "11488-4"
    assert missing["value"] is None


def test_only_errors_count() -> None:
    assert has_errors([TYPO]) and not has_errors([MISSING])
