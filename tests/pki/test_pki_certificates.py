"""The test PKI: IGC-Santé-like subjects, key usages per family, reproducibility."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store

from dmpkit import testmode
from dmpkit.pki import (
    DeterministicKeyRefusedError,
    TestPki,
    deterministic_rsa_key,
    generate_test_pki,
)

CLOCK = testmode.DEFAULT_TEST_CLOCK


def _usage(certificate: x509.Certificate) -> x509.KeyUsage:
    return certificate.extensions.get_extension_for_class(x509.KeyUsage).value


def test_org_subjects_follow_igc_sante_pattern(pki: TestPki) -> None:
    for certified in (pki.sign, pki.auth_cli):
        subject = certified.certificate.subject
        assert [a.oid for a in subject] == [
            NameOID.COUNTRY_NAME, NameOID.STATE_OR_PROVINCE_NAME, NameOID.ORGANIZATION_NAME,
            NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.COMMON_NAME]
        assert subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == \
            pki.structure.identifiant_structure
        assert certified.certificate.issuer == pki.intermediate.certificate.subject


def test_sign_certificate_is_non_repudiation_only(pki: TestPki) -> None:
    usage = _usage(pki.sign.certificate)
    assert usage.content_commitment and not usage.digital_signature
    assert not usage.key_encipherment and not usage.key_cert_sign


def test_auth_cli_is_a_tls_client_certificate(pki: TestPki) -> None:
    usage = _usage(pki.auth_cli.certificate)
    assert usage.digital_signature and not usage.content_commitment
    eku = pki.auth_cli.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert list(eku.value) == [ExtendedKeyUsageOID.CLIENT_AUTH]


def test_cas_sign_certificates_only(pki: TestPki) -> None:
    for ca in (pki.root, pki.intermediate, pki.foreign_root):
        assert _usage(ca.certificate).key_cert_sign
        constraints = ca.certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        assert constraints.value.ca and constraints.critical


def test_localhost_certificate_passes_cryptographys_own_tls_verifier(pki: TestPki) -> None:
    # an independent RFC 5280 path validation: cryptography's web PKI verifier
    verifier = (PolicyBuilder().store(Store([pki.root.certificate]))
                .time(CLOCK).build_server_verifier(x509.DNSName("localhost")))
    chain = verifier.verify(pki.localhost.certificate, [pki.intermediate.certificate])
    assert chain[-1] == pki.root.certificate


def test_expired_and_foreign_variants(pki: TestPki) -> None:
    assert pki.expired_sign.certificate.not_valid_after_utc < CLOCK
    assert pki.sign.certificate.not_valid_before_utc <= CLOCK <= \
        pki.sign.certificate.not_valid_after_utc
    assert pki.foreign_sign.certificate.subject == pki.sign.certificate.subject
    assert pki.foreign_sign.certificate.issuer == pki.foreign_root.certificate.subject


def test_pki_is_byte_identical_across_generations(pki: TestPki) -> None:
    testmode.enable(seed=1, at=CLOCK)
    again = generate_test_pki(deterministic=True)
    for field in ("root", "intermediate", "sign", "auth_cli", "localhost"):
        assert getattr(again, field).certificate.public_bytes(serialization.Encoding.DER) == \
            getattr(pki, field).certificate.public_bytes(serialization.Encoding.DER)


def test_dates_come_from_the_test_clock(pki: TestPki) -> None:
    assert pki.sign.certificate.not_valid_before_utc == CLOCK.replace(
        hour=0, minute=0) - timedelta(days=1)


def test_seeded_keys_are_refused_outside_test_mode() -> None:
    testmode.disable()
    with pytest.raises(DeterministicKeyRefusedError, match="tests only"):
        deterministic_rsa_key(b"seed", "label")


def test_seeded_key_is_a_sound_rsa_2048_key(pki: TestPki) -> None:
    numbers = pki.sign.key.private_numbers()
    assert pki.sign.key.key_size == 2048
    assert numbers.p * numbers.q == numbers.public_numbers.n and numbers.p != numbers.q
    for prime in (numbers.p, numbers.q):  # Fermat check with bases cryptography never used
        assert all(pow(base, prime - 1, prime) == 1 for base in (2, 3, 5, 7))
    assert pow(pow(42, numbers.public_numbers.e, numbers.public_numbers.n), numbers.d,
               numbers.public_numbers.n) == 42
    assert numbers.p != pki.auth_cli.key.private_numbers().p
