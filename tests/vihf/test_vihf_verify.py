"""Verification of a VIHF: round trip, trust, key usage, dates, algorithms, forensics."""

from __future__ import annotations

import base64
import dataclasses
from datetime import timedelta

import pytest
from lxml import etree

from dmpkit import testmode
from dmpkit.namespaces import DS, SAML2
from dmpkit.pki import TestPki, TrustStore
from dmpkit.soap import Addressing, build_envelope, serialize
from dmpkit.vihf import (
    PurposeOfUse,
    VihfClaims,
    VihfSigner,
    VihfVerificationError,
    VihfVerifier,
    verify_vihf,
)
from dmpkit.xmldsig import DIGEST_SHA256

SAML = {"saml": SAML2, "ds": DS}
CLOCK = testmode.DEFAULT_TEST_CLOCK


def _signed(pki: TestPki, claims: VihfClaims | None = None, **options: object) -> bytes:
    signer = VihfSigner.from_certified_key(pki.sign)
    return etree.tostring(signer.sign(claims or VihfClaims(), **options))  # type: ignore[arg-type]


def _reason(data: bytes, trust: TrustStore, **options: object) -> VihfVerificationError:
    with pytest.raises(VihfVerificationError) as caught:
        verify_vihf(data, trust, **options)  # type: ignore[arg-type]
    return caught.value


def test_valid_vihf_round_trips_its_claims(pki: TestPki, trust: TrustStore) -> None:
    claims = dataclasses.replace(VihfClaims(), purpose_of_use=PurposeOfUse.BRIS_DE_GLACE,
                                 lps_id="1.2.250.1.999.888.2")
    verified = verify_vihf(_signed(pki, claims), trust, at=CLOCK + timedelta(minutes=1))
    assert verified.claims == claims
    assert verified.certificate == pki.sign.certificate
    assert verified.chain[-1] == pki.root.certificate
    assert verified.forensics.references[0].digest_method == DIGEST_SHA256


def test_vihf_inside_a_soap_envelope_verifies(pki: TestPki, trust: TrustStore) -> None:
    assertion = VihfSigner.from_certified_key(pki.sign).sign(VihfClaims())
    envelope = build_envelope(etree.Element("{urn:ihe:iti:xds-b:2007}RetrieveDocumentSetRequest"),
                              addressing=Addressing(action="urn:ihe:iti:2007:RetrieveDocumentSet"),
                              security=[assertion])
    verified = verify_vihf(serialize(envelope), trust, at=CLOCK)
    assert verified.claims.name_id == "899900077985"


def test_only_the_configured_anchor_is_trusted(pki: TestPki) -> None:
    foreign_only = TrustStore([pki.foreign_root.certificate])
    assert _reason(_signed(pki), foreign_only, at=CLOCK).reason == "untrusted_certificate"


def test_certificate_of_a_foreign_ca_in_keyinfo_proves_nothing(
    pki: TestPki, trust: TrustStore
) -> None:
    forged = VihfSigner.from_certified_key(pki.foreign_sign).sign(VihfClaims())
    # same subject DN as the genuine ORG SIGN, so Issuer looks right: only the chain differs
    assert forged.findtext("saml:Issuer", namespaces=SAML) == \
        VihfSigner.from_certified_key(pki.sign).issuer_dn
    error = _reason(etree.tostring(forged), trust, at=CLOCK)
    assert error.reason == "untrusted_certificate"


def test_expired_signing_certificate_is_refused(pki: TestPki, trust: TrustStore) -> None:
    token = etree.tostring(VihfSigner.from_certified_key(pki.expired_sign).sign(VihfClaims()))
    assert _reason(token, trust, at=CLOCK).reason == "certificate_expired"


def test_authentication_key_gives_dmp_invalid_certificate(
    pki: TestPki, trust: TrustStore
) -> None:
    # REFERENCE §10.2: a VIHF signed with an AUTH_CLI (digitalSignature) key is refused
    token = etree.tostring(VihfSigner.from_certified_key(pki.auth_cli).sign(VihfClaims()))
    error = _reason(token, trust, at=CLOCK)
    assert error.reason == "DMPInvalidCertificate"
    assert "nonRepudiation" in error.detail


def test_issuer_must_name_the_signing_certificate(pki: TestPki, trust: TrustStore) -> None:
    signer = VihfSigner.from_certified_key(pki.sign)
    signer.issuer_dn = "C=FR, O=AUTRE STRUCTURE, CN=DMP SIGN"
    token = etree.tostring(signer.sign(VihfClaims()))
    assert _reason(token, trust, at=CLOCK).reason == "issuer_mismatch"


def test_issuer_comparison_ignores_rdn_order(pki: TestPki, trust: TrustStore) -> None:
    signer = VihfSigner.from_certified_key(pki.sign)
    parts = signer.issuer_dn.split(",")
    signer.issuer_dn = ", ".join(reversed(parts))  # C=FR, ST=…, O=…, OU=…, CN=… (ANS order)
    assert signer.issuer_dn.startswith("C=FR")
    verify_vihf(etree.tostring(signer.sign(VihfClaims())), trust, at=CLOCK)


def test_tampered_attribute_fails_with_forensics(pki: TestPki, trust: TrustStore) -> None:
    token = _signed(pki).replace(b"SA01^", b"SA07^")
    error = _reason(token, trust, at=CLOCK)
    assert error.reason == "digest_mismatch"
    assert error.forensics is not None
    reference = error.forensics.references[0]
    assert reference.expected_digest != reference.computed_digest
    assert b"SA07^" in (reference.digest_input or b"")
    assert error.forensics.canonical_signed_info.startswith(b"<ds:SignedInfo")


def test_tampered_signature_value_fails(pki: TestPki, trust: TrustStore) -> None:
    token = _signed(pki)
    start = token.index(b"<ds:SignatureValue>") + len(b"<ds:SignatureValue>")
    value = bytearray(base64.b64decode(token[start:token.index(b"</ds:SignatureValue>")]))
    value[10] ^= 0xFF
    forged = token[:start] + base64.b64encode(bytes(value)) + token[token.index(
        b"</ds:SignatureValue>"):]
    assert _reason(forged, trust, at=CLOCK).reason == "bad_signature_value"


def test_sha1_refused_unless_configured(pki: TestPki, trust: TrustStore) -> None:
    token = etree.tostring(VihfSigner.from_certified_key(pki.sign, sha1=True).sign(VihfClaims()))
    assert _reason(token, trust, at=CLOCK).reason == "algorithm_not_allowed"
    assert verify_vihf(token, trust, at=CLOCK, allow_sha1=True).claims == VihfClaims()


@pytest.mark.parametrize(
    ("offset", "reason"),
    [
        (timedelta(hours=2), "expired"),  # past NotOnOrAfter (1 h lifetime)
        (timedelta(minutes=-10), "issued_in_future"),
    ],
)
def test_validity_window(
    pki: TestPki, trust: TrustStore, offset: timedelta, reason: str
) -> None:
    assert _reason(_signed(pki), trust, at=CLOCK + offset).reason == reason


def test_clock_skew_is_configurable(pki: TestPki, trust: TrustStore) -> None:
    token = _signed(pki)
    late = CLOCK + timedelta(hours=1, minutes=3)
    verify_vihf(token, trust, at=late)  # within the default 5 min skew
    assert _reason(token, trust, at=late, clock_skew=timedelta(0)).reason == "expired"


def test_token_without_conditions_is_bounded_by_max_age(pki: TestPki, trust: TrustStore) -> None:
    token = _signed(pki, lifetime=None)
    assert b"Conditions" not in token
    verifier = VihfVerifier(trust, max_age=timedelta(minutes=30))
    verifier.verify(token, at=CLOCK + timedelta(minutes=20))
    with pytest.raises(VihfVerificationError) as caught:
        verifier.verify(token, at=CLOCK + timedelta(minutes=40))
    assert caught.value.reason == "expired"


def test_chain_checks_are_cached(pki: TestPki, trust: TrustStore) -> None:
    verifier = VihfVerifier(trust)
    token = _signed(pki)
    verifier.verify(token, at=CLOCK)
    verifier.verify(token, at=CLOCK)
    assert len(trust._chains) == 1


def test_cached_chain_still_checks_every_validity_date(pki: TestPki, trust: TrustStore) -> None:
    # the chain is cached after the first call; the dates depend on the instant, every call
    verifier = VihfVerifier(trust, max_age=None)
    token = _signed(pki, lifetime=None)
    verifier.verify(token, at=CLOCK)
    chain = (pki.sign.certificate, pki.intermediate.certificate, pki.root.certificate)
    after = min(link.not_valid_after_utc for link in chain) + timedelta(minutes=6)
    before = max(link.not_valid_before_utc for link in chain) - timedelta(minutes=6)
    for at, reason in ((after, "certificate_expired"), (before, "certificate_not_yet_valid")):
        with pytest.raises(VihfVerificationError) as caught:
            verifier.verify(token, at=at)
        assert caught.value.reason == reason
    assert verifier.verify(token, at=CLOCK).claims == VihfClaims()
