"""Reading a VIHF without trusting it: from a SOAP envelope, unsigned, or incomplete."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from dmpkit import testmode
from dmpkit.namespaces import SAML2
from dmpkit.pki import TestPki
from dmpkit.soap import Addressing, build_envelope, serialize
from dmpkit.vihf import (
    PurposeOfUse,
    VihfClaims,
    VihfReadError,
    VihfSigner,
    build_assertion,
    inspect_vihf,
)


def test_inspect_reads_claims_and_certificate_from_an_envelope(pki: TestPki) -> None:
    claims = dataclasses.replace(VihfClaims(), purpose_of_use=PurposeOfUse.CENTRE_15)
    assertion = VihfSigner.from_certified_key(pki.sign).sign(claims)
    envelope = build_envelope(etree.Element("{urn:hl7-org:v3}PRPA_IN201307UV02"),
                              addressing=Addressing(action="urn:hl7-org:v3:PRPA_IN201307UV02"),
                              security=[assertion])
    found = inspect_vihf(serialize(envelope))
    assert found.claims == claims
    assert found.signed and found.reference_uris == (f"#{assertion.get('ID')}",)
    assert found.certificate is not None
    assert found.certificate.key_usage == ("content_commitment",)


def test_inspect_shows_an_unsigned_token_as_such() -> None:
    assertion = build_assertion(VihfClaims(), issuer_dn="CN=x", assertion_id="_a",
                                issue_instant=testmode.DEFAULT_TEST_CLOCK)
    found = inspect_vihf(etree.tostring(assertion))
    assert not found.signed and found.certificate is None
    assert found.to_dict()["claims"]["name_id"] == "899900077985"


def test_inspect_reports_what_it_cannot_read() -> None:
    assertion = build_assertion(VihfClaims(), issuer_dn="CN=x", assertion_id="_a",
                                issue_instant=testmode.DEFAULT_TEST_CLOCK)
    statement = assertion.find(f"{{{SAML2}}}AttributeStatement")
    assert statement is not None
    statement.remove(statement[0])  # VIHF_Version
    found = inspect_vihf(etree.tostring(assertion))
    assert found.claims is None and "VIHF_Version" in (found.read_error or "")
    with pytest.raises(VihfReadError):
        inspect_vihf(b"<not-a-vihf/>")
