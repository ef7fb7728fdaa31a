"""Tell a PDF/A file from a plain PDF, by its XMP metadata (``pdfaid:part``).

A PDF/A file declares its conformance in its XMP packet (ISO 19005: ``pdfaid:part`` and
``pdfaid:conformance``, as an attribute or an element). The packet is plain text inside
the file unless the metadata stream is compressed, which PDF/A forbids for the document's
metadata (ISO 19005-1 §6.7.3: no Filter on the metadata stream): a byte scan is enough.
The DMP expects PDF/A-1 (REFERENCE §3.8); dmpkit does not convert (no well-kept library
does it reliably in pure Python), it warns.
"""

from __future__ import annotations

import re

from dmpkit.findings import Finding, Severity

__all__ = ["pdfa_findings", "pdfa_info"]

_PART = re.compile(rb"pdfaid:part\s*(?:=\s*[\"'](\d)[\"']|>\s*(\d)\s*<)")
_CONFORMANCE = re.compile(rb"pdfaid:conformance\s*(?:=\s*[\"']([A-Za-z])[\"']|>\s*([A-Za-z])\s*<)")


def pdfa_info(pdf: bytes) -> tuple[int | None, str | None]:
    """The PDF/A part and conformance level a PDF declares (``(None, None)`` if none)."""
    part = _PART.search(pdf)
    conformance = _CONFORMANCE.search(pdf)
    part_value = int(part.group(1) or part.group(2)) if part else None
    level = (conformance.group(1) or conformance.group(2)).decode("ascii").upper() \
        if conformance else None
    return part_value, level


def pdfa_findings(pdf: bytes) -> list[Finding]:
    """Warnings for a PDF body that is not declared PDF/A (or not a PDF at all)."""
    if not pdf.startswith(b"%PDF-"):
        return [Finding(Severity.ERROR, "CDA-N1-PDF", "CDA-N1", "nonXMLBody/text",
                        "/ClinicalDocument/component/nonXMLBody/text", repr(pdf[:8]),
                        "a PDF file (starting with %PDF-)", "the content is not a PDF")]
    part, level = pdfa_info(pdf)
    if part is None:
        return [Finding(Severity.WARNING, "CDA-N1-PDFA", "CDA-N1", "nonXMLBody/text",
                        "/ClinicalDocument/component/nonXMLBody/text",
                        "PDF without a pdfaid:part declaration",
                        "PDF/A-1 (formatCode urn:ihe:iti:xds-sd:pdf:2008: "
                        "'Document à corps non structuré en Pdf/A-1')",
                        "convert the file to PDF/A-1 before embedding it (the DMP connectors "
                        "do so by default)")]
    if part != 1:
        return [Finding(Severity.WARNING, "CDA-N1-PDFA", "CDA-N1", "nonXMLBody/text",
                        "/ClinicalDocument/component/nonXMLBody/text",
                        f"PDF/A-{part}{(level or '').lower()}", "PDF/A-1",
                        "the formatCode names PDF/A-1; check the receiver accepts later parts")]
    return []
