"""CDA R2 documents for the DMP: N1 builder, ANS-grade validation, HTML rendering, XDS metadata.

* :class:`N1Builder` / :class:`N1Document` (``dmpkit.cda.builder``, inputs in
  ``dmpkit.cda.inputs``): unstructured (N1) documents embedding a PDF, text, RTF, JPEG or TIFF;
* :func:`validate_cda` (``dmpkit.cda.validation``): ANS extended XSD, CI-SIS header schematron,
  document-type schematron (``dmpkit.cda.schematron`` compiles ISO Schematron to XSLT 2.0 and
  runs it with Saxon);
* :func:`render_html` (``dmpkit.cda.render``): the HTML page of a document;
* :func:`document_entry_from_cda` (``dmpkit.cda.metadata``): the XDS DocumentEntry.

Names load on first use: validating does not import the (large) CDA bindings.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "CdaValidationReport",
    "N1Builder",
    "N1Document",
    "document_entry_from_cda",
    "render_html",
    "validate_cda",
    "validate_cda_file",
]

_HOME = {
    "CdaValidationReport": "dmpkit.cda.validation",
    "validate_cda": "dmpkit.cda.validation",
    "validate_cda_file": "dmpkit.cda.validation",
    "N1Builder": "dmpkit.cda.builder",
    "N1Document": "dmpkit.cda.builder",
    "document_entry_from_cda": "dmpkit.cda.metadata",
    "render_html": "dmpkit.cda.render",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'dmpkit.cda' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
