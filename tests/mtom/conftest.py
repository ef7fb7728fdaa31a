"""MTOM test fixtures: IHE XDS.b sample envelopes (ITI-41 request, ITI-43 response)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from dmpkit.xmlparse import parse_xml_file


@pytest.fixture(scope="session")
def iti41_envelope(spec_store: Path) -> etree._Element:
    """IHE's ITI-41 SOAP sample: one ``xdsb:Document`` with inline base64."""
    return parse_xml_file(
        spec_store / "examples/ihe-xds-b/ProvideAndRegisterDocumentSet-bRequest_SOAP.xml"
    )


@pytest.fixture(scope="session")
def iti43_envelope(spec_store: Path) -> etree._Element:
    """IHE's ITI-43 SOAP sample: two ``DocumentResponse/Document`` with inline base64."""
    return parse_xml_file(spec_store / "examples/ihe-xds-b/RetrieveDocumentSetResponse_SOAP.xml")
