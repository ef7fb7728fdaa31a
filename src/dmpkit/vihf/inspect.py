"""Show what a VIHF says, without trusting it: claims, signature shape, certificate summary."""

from __future__ import annotations

import base64
import binascii
from dataclasses import asdict, dataclass
from typing import Any

from cryptography import x509
from lxml import etree

from dmpkit.namespaces import DS, SAML2
from dmpkit.pki.names import rfc2253_dn
from dmpkit.vihf.claims import VihfClaims
from dmpkit.vihf.errors import VihfReadError
from dmpkit.vihf.read import claims_from_assertion
from dmpkit.xmlparse import parse_xml

__all__ = ["CertificateSummary", "VihfInspection", "inspect_vihf"]


@dataclass(frozen=True, slots=True)
class CertificateSummary:
    """The facts of a certificate a reader of a VIHF needs."""

    subject: str
    issuer: str
    serial_number: str
    not_before: str
    not_after: str
    key_usage: tuple[str, ...]

    @classmethod
    def of(cls, certificate: x509.Certificate) -> CertificateSummary:
        """Summarize ``certificate``."""
        try:
            usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
            names = ("digital_signature", "content_commitment", "key_encipherment",
                     "key_cert_sign", "crl_sign")
            usages = tuple(name for name in names if getattr(usage, name))
        except x509.ExtensionNotFound:
            usages = ()
        return cls(
            subject=rfc2253_dn(certificate.subject),
            issuer=rfc2253_dn(certificate.issuer),
            serial_number=format(certificate.serial_number, "x"),
            not_before=certificate.not_valid_before_utc.isoformat(),
            not_after=certificate.not_valid_after_utc.isoformat(),
            key_usage=usages,
        )


@dataclass(frozen=True, slots=True)
class VihfInspection:
    """An unverified reading of a VIHF."""

    assertion_id: str | None
    issue_instant: str | None
    issuer: str | None
    claims: VihfClaims | None
    read_error: str | None
    signed: bool
    signature_method: str | None
    reference_uris: tuple[str, ...]
    certificate: CertificateSummary | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return asdict(self)


def inspect_vihf(document: bytes | etree._Element) -> VihfInspection:
    """Read a VIHF (alone or in a SOAP envelope) WITHOUT verifying it; see ``verify_vihf``."""
    root = parse_xml(document) if isinstance(document, bytes | bytearray) else document
    assertion = root if root.tag == f"{{{SAML2}}}Assertion" else root.find(
        f".//{{{SAML2}}}Assertion")
    if assertion is None:
        raise VihfReadError("no saml:Assertion in the document")
    issuer_el = assertion.find(f"{{{SAML2}}}Issuer")
    signature = assertion.find(f"{{{DS}}}Signature")
    claims: VihfClaims | None = None
    error: str | None = None
    try:
        claims = claims_from_assertion(assertion)
    except VihfReadError as exc:
        error = str(exc)
    certificate = None
    method = None
    uris: tuple[str, ...] = ()
    if signature is not None:
        method_el = signature.find(f"{{{DS}}}SignedInfo/{{{DS}}}SignatureMethod")
        method = method_el.get("Algorithm") if method_el is not None else None
        uris = tuple(ref.get("URI", "") for ref in
                     signature.iterfind(f"{{{DS}}}SignedInfo/{{{DS}}}Reference"))
        cert_el = signature.find(f".//{{{DS}}}X509Certificate")
        if cert_el is not None:
            try:
                der = base64.b64decode("".join((cert_el.text or "").split()))
                certificate = CertificateSummary.of(x509.load_der_x509_certificate(der))
            except (binascii.Error, ValueError):
                error = error or "KeyInfo certificate unreadable"
    return VihfInspection(
        assertion_id=assertion.get("ID"),
        issue_instant=assertion.get("IssueInstant"),
        issuer=(issuer_el.text or "").strip() if issuer_el is not None else None,
        claims=claims,
        read_error=error,
        signed=signature is not None,
        signature_method=method,
        reference_uris=uris,
        certificate=certificate,
    )
