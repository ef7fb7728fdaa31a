"""Sign a VIHF: enveloped XML-DSig, exclusive C14N, RSA-SHA256, X509 KeyInfo (REFERENCE §2.4)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from dmpkit import testmode
from dmpkit.pki.model import CertifiedKey
from dmpkit.pki.names import rfc2253_dn
from dmpkit.pki.store import load_pkcs12, load_pki
from dmpkit.vihf.build import build_assertion
from dmpkit.vihf.claims import VihfClaims
from dmpkit.vihf.validate import check_claims
from dmpkit.xmldsig import (
    C14N_EXCLUSIVE,
    DIGEST_SHA1,
    DIGEST_SHA256,
    ENVELOPED,
    RSA_SHA1,
    RSA_SHA256,
    ReferenceSpec,
    build_signature,
    finish_signature,
)
from dmpkit.xmlparse import parse_xml

__all__ = ["INCLUSIVE_PREFIXES", "VihfSigner"]

INCLUSIVE_PREFIXES = ("ds", "saml", "#default", "xsi")  # the ANS example's PrefixList
DEFAULT_LIFETIME = timedelta(hours=1)


class VihfSigner:
    """Signs VIHF claims with one key and certificate, loaded once and reused.

    Args:
        key: the ORG SIGN private key.
        certificate: its certificate (its DN becomes the Issuer, it goes in KeyInfo).
        sha1: sign with rsa-sha1/sha1 (only to reproduce old samples; SHA-256 otherwise).
    """

    def __init__(
        self, key: rsa.RSAPrivateKey, certificate: x509.Certificate, *, sha1: bool = False
    ) -> None:
        self.key = key
        self.certificate = certificate
        self.issuer_dn = rfc2253_dn(certificate.subject)
        self.signature_method = RSA_SHA1 if sha1 else RSA_SHA256
        self.digest_method = DIGEST_SHA1 if sha1 else DIGEST_SHA256

    @classmethod
    def from_certified_key(cls, certified: CertifiedKey, *, sha1: bool = False) -> VihfSigner:
        """A signer from a key and certificate pair."""
        return cls(certified.key, certified.certificate, sha1=sha1)

    @classmethod
    def from_pki(cls, folder: Path) -> VihfSigner:
        """A signer from the ORG SIGN certificate of a folder made by ``dmpkit pki init``."""
        return cls.from_certified_key(load_pki(folder).sign)

    @classmethod
    def from_pkcs12(cls, path: Path, password: bytes | None) -> VihfSigner:
        """A signer from a vendor's PKCS#12 (e.g. an IGC-Santé ORG SIGN certificate)."""
        return cls.from_certified_key(load_pkcs12(path, password))

    def sign(
        self,
        claims: VihfClaims,
        *,
        issue_instant: datetime | None = None,
        lifetime: timedelta | None = DEFAULT_LIFETIME,
        assertion_id: str | None = None,
        authn_instant: datetime | None = None,
        check: bool = True,
    ) -> etree._Element:
        """Build and sign the assertion of ``claims``.

        Args:
            claims: what the token states.
            issue_instant: default: now (the test clock in test mode).
            lifetime: ``NotOnOrAfter - NotBefore``; None omits Conditions.
            assertion_id: default: ``_`` + a UUID (seeded in test mode).
            authn_instant: when the user logged in (default: the issue instant).
            check: validate the claims first (REFERENCE §2.3 and value sets).

        Raises:
            VihfClaimsError: the claims are invalid (every problem listed).
        """
        if check:
            check_claims(claims)
        instant = issue_instant or testmode.now()
        identifier = assertion_id or f"_{testmode.new_uuid()}"
        assertion = build_assertion(
            claims,
            issuer_dn=self.issuer_dn,
            assertion_id=identifier,
            issue_instant=instant,
            authn_instant=authn_instant,
            not_before=instant if lifetime is not None else None,
            not_on_or_after=instant + lifetime if lifetime is not None else None,
        )
        reference = ReferenceSpec(
            uri=f"#{identifier}",
            transforms=((ENVELOPED, ()), (C14N_EXCLUSIVE, INCLUSIVE_PREFIXES)),
            digest_method=self.digest_method,
        )
        signature = build_signature(
            [reference],
            certificate=self.certificate,
            canonicalization=C14N_EXCLUSIVE,
            signature_method=self.signature_method,
        )
        assertion.insert(1, signature)  # right after Issuer (REFERENCE §2.1)
        # libxml2 canonicalizes a tree built in memory differently from the same tree parsed
        # (InclusiveNamespaces prefixes used only by descendants): sign what verifiers parse
        parsed = parse_xml(etree.tostring(assertion))
        finish_signature(parsed[1], self.key, resolver=lambda _uri: parsed)
        return parsed

    def sign_bytes(self, claims: VihfClaims) -> bytes:
        """Like :meth:`sign` with default options, serialized as UTF-8 XML."""
        return etree.tostring(self.sign(claims))
