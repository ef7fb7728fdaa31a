"""Chaining to configured anchors, with reasons; DN rendering and order-tolerant matching."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from dmpkit import testmode
from dmpkit.pki import (
    CertificateChainError,
    TestPki,
    TrustStore,
    dn_matches,
    parse_dn,
    rfc2253_dn,
)

CLOCK = testmode.DEFAULT_TEST_CLOCK


def _reason(trust: TrustStore, certificate: x509.Certificate, **options: object) -> str:
    with pytest.raises(CertificateChainError) as caught:
        trust.verify(certificate, CLOCK, **options)  # type: ignore[arg-type]
    return caught.value.reason


def test_chain_to_root(pki: TestPki, trust: TrustStore) -> None:
    assert trust.verify(pki.sign.certificate, CLOCK) == (
        pki.sign.certificate, pki.intermediate.certificate, pki.root.certificate)


def test_intermediate_may_come_from_the_message(pki: TestPki) -> None:
    anchors_only = TrustStore([pki.root.certificate])
    assert _reason(anchors_only, pki.sign.certificate) == "untrusted_issuer"
    chain = anchors_only.verify(pki.sign.certificate, CLOCK, extra=[pki.intermediate.certificate])
    assert chain[-1] == pki.root.certificate


def test_foreign_ca_is_untrusted_even_with_its_root_supplied(
    pki: TestPki, trust: TrustStore
) -> None:
    reason = _reason(trust, pki.foreign_sign.certificate, extra=[pki.foreign_root.certificate])
    assert reason == "untrusted_issuer"


def test_expired_and_not_yet_valid(pki: TestPki, trust: TrustStore) -> None:
    assert _reason(trust, pki.expired_sign.certificate) == "expired"
    with pytest.raises(CertificateChainError) as caught:
        trust.verify(pki.sign.certificate, CLOCK - timedelta(days=30))
    assert caught.value.reason == "not_yet_valid"


def test_leaf_cannot_act_as_a_ca(pki: TestPki, trust: TrustStore) -> None:
    # a certificate "issued" by the ORG SIGN key: valid signature, but the issuer is no CA
    forged = (x509.CertificateBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rogue")]))
              .issuer_name(pki.sign.certificate.subject)
              .public_key(pki.auth_cli.key.public_key()).serial_number(7)
              .not_valid_before(CLOCK - timedelta(days=1))
              .not_valid_after(CLOCK + timedelta(days=1))
              .sign(pki.sign.key, hashes.SHA256()))
    assert _reason(trust, forged, extra=[pki.sign.certificate]) == "not_a_ca"


def test_rfc2253_names_use_st_and_gn() -> None:
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Paris (75)"),
        x509.NameAttribute(NameOID.GIVEN_NAME, "Jeanne"),
        x509.NameAttribute(NameOID.COMMON_NAME, "DMP SIGN"),
    ])
    assert rfc2253_dn(name) == "CN=DMP SIGN,GN=Jeanne,ST=Paris (75),C=FR"


def test_dn_matching_tolerates_order_and_spaces_not_content(pki: TestPki) -> None:
    subject = pki.sign.certificate.subject
    ans_order = ", ".join(reversed(rfc2253_dn(subject).split(",")))  # C=FR, ST=…, …, CN=…
    assert dn_matches(ans_order, subject)
    assert not dn_matches(ans_order.replace("DMPKIT ORG SIGN", "OTHER"), subject)
    assert not dn_matches(ans_order + ", L=Paris", subject)
    assert not dn_matches("not a DN", subject)


def test_parse_dn_handles_escapes_and_legacy_names() -> None:
    assert parse_dn(r"O=A\, B, G=Jean, S=Paris") == [
        ("2.5.4.10", "A, B"), ("2.5.4.42", "Jean"), ("2.5.4.8", "Paris")]
