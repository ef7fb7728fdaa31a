"""Fixtures of the SOAP tests: the IHE SOAP samples and W3C schema validation, offline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from dmpkit.xsdvalidate import validate

SchemaCheck = Callable[[etree._Element], list[str]]


@pytest.fixture(scope="session")
def soap12_errors(spec_store: Path) -> SchemaCheck:
    """Validation messages of an element against the W3C SOAP 1.2 envelope schema."""
    return lambda element: [
        issue.message for issue in validate(element, "soap12", store=spec_store)
    ]


@pytest.fixture(scope="session")
def wsa_errors(spec_store: Path) -> SchemaCheck:
    """Validation messages of a header block against the W3C WS-Addressing 1.0 schema."""
    return lambda element: [
        issue.message for issue in validate(element, "wsa", store=spec_store)
    ]


@pytest.fixture(scope="session")
def xds_soap_samples(spec_store: Path) -> list[Path]:
    samples = sorted((spec_store / "examples" / "ihe-xds-b").glob("*_SOAP.xml"))
    assert samples, "the IHE XDS.b SOAP samples are missing from the spec store"
    return samples
