"""Fixtures of the SOAP tests: the W3C schemas, loaded offline through the hardened parser."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from dmpkit.xmlparse import parse_xml_file

XSD = "{http://www.w3.org/2001/XMLSchema}"
XML_XSD_URL = "http://www.w3.org/2001/xml.xsd"


def _schema(path: Path, local: dict[str, Path]) -> etree.XMLSchema:
    tree = parse_xml_file(path)
    # Point absolute imports at the local copies so nothing is fetched.
    for node in tree.iter(f"{XSD}import"):
        location = node.get("schemaLocation")
        if location in local:
            node.set("schemaLocation", local[location].as_uri())
    return etree.XMLSchema(tree)


@pytest.fixture(scope="session")
def soap12_schema(spec_store: Path) -> etree.XMLSchema:
    return _schema(
        spec_store / "soap12" / "soap-1.2.xsd", {XML_XSD_URL: spec_store / "xml" / "xml.xsd"}
    )


@pytest.fixture(scope="session")
def wsa_schema(spec_store: Path) -> etree.XMLSchema:
    return _schema(spec_store / "wsa" / "ws-addr.xsd", {})


@pytest.fixture(scope="session")
def xds_soap_samples(spec_store: Path) -> list[Path]:
    samples = sorted((spec_store / "examples" / "ihe-xds-b").glob("*_SOAP.xml"))
    assert samples, "the IHE XDS.b SOAP samples are missing from the spec store"
    return samples
