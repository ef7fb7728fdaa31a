"""Certificates for dmpkit: a test PKI modelled on IGC-Santé test, trust checks, PKCS#12.

Test mode: when :mod:`dmpkit.testmode` is on, :func:`generate_test_pki` derives every RSA
key from a seed (HMAC-DRBG + Miller-Rabin, :mod:`dmpkit.pki.keys`), uses fixed serial numbers
and dates from the test clock, so the PKI and every RSA PKCS#1 v1.5 signature made with it are
byte-identical across runs. Those keys are predictable: they are refused outside test mode
unless explicitly asked for. Outside test mode keys come from ``cryptography``'s generator.

The folder layout written by :func:`write_pki` is documented in :mod:`dmpkit.pki.store`.
"""

from dmpkit.pki.errors import (
    CertificateChainError,
    DeterministicKeyRefusedError,
    Pkcs12Error,
    Pkcs12PasswordError,
    PkiError,
    PkiLayoutError,
)
from dmpkit.pki.issue import generate_test_pki, org_subject
from dmpkit.pki.keys import deterministic_rsa_key, new_rsa_key
from dmpkit.pki.model import DEFAULT_STRUCTURE, CertifiedKey, Structure, TestPki
from dmpkit.pki.names import dn_matches, parse_dn, rfc2253_dn
from dmpkit.pki.store import load_certificates, load_pkcs12, load_pki, pkcs12_bytes, write_pki
from dmpkit.pki.trust import TrustStore, fingerprint

__all__ = [
    "DEFAULT_STRUCTURE",
    "CertificateChainError",
    "CertifiedKey",
    "DeterministicKeyRefusedError",
    "Pkcs12Error",
    "Pkcs12PasswordError",
    "PkiError",
    "PkiLayoutError",
    "Structure",
    "TestPki",
    "TrustStore",
    "deterministic_rsa_key",
    "dn_matches",
    "fingerprint",
    "generate_test_pki",
    "load_certificates",
    "load_pkcs12",
    "load_pki",
    "new_rsa_key",
    "org_subject",
    "parse_dn",
    "pkcs12_bytes",
    "rfc2253_dn",
    "write_pki",
]
