"""Verify a VIHF the way a relying party must: trust, placement, coverage, then claims.

Defences against signature wrapping (XSW) and forgery, in order:

* exactly one ``saml:Assertion`` in the whole document (an evil copy anywhere is refused) and,
  in a SOAP envelope, it must sit in ``Header/wsse:Security``;
* every ID in the document unique; the assertion's one ``ds:Signature`` is its direct child
  right after ``Issuer`` and has exactly one Reference, ``#`` + that assertion's ID, with the
  enveloped + exclusive C14N transforms only;
* the KeyInfo certificate must chain to a configured anchor (being present proves nothing),
  carry nonRepudiation (else the DMP's ``DMPInvalidCertificate``) and be named by ``Issuer``;
* no comment or processing instruction inside the signed assertion (C14N drops them, so
  ``8999<!---->00077985`` still verifies but reads as ``8999`` through a naive API);
* claims are read from that very element, direct children only (nothing in ``ds:Signature``);
* IssueInstant, NotBefore, NotOnOrAfter checked at a given instant with a clock skew.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from dmpkit import testmode
from dmpkit.namespaces import DS, SAML2, SOAP12, WSSE, WSU
from dmpkit.pki.errors import CertificateChainError
from dmpkit.pki.names import dn_matches
from dmpkit.pki.trust import TrustStore
from dmpkit.vihf.claims import VihfClaims
from dmpkit.vihf.errors import VihfReadError, VihfVerificationError
from dmpkit.vihf.read import claims_from_assertion, element_text, parse_instant
from dmpkit.xmldsig import (
    C14N_EXCLUSIVE,
    ENVELOPED,
    AlgorithmPolicy,
    SignatureError,
    SignatureForensics,
    verify_signature,
)
from dmpkit.xmlparse import parse_xml

__all__ = ["VerifiedVihf", "VihfVerifier", "verify_vihf"]

_ASSERTION = f"{{{SAML2}}}Assertion"
_SIGNATURE = f"{{{DS}}}Signature"
# counts in libxml2, without building a Python string per ID of a large envelope
_ID_COUNT = etree.XPath(
    "count(//@ID[. = $id]) + count(//@Id[. = $id]) + count(//@id[. = $id])"
    " + count(//@wsu:Id[. = $id])",
    namespaces={"wsu": WSU},
)
_ALLOWED_SIGNATURE_CHILDREN = {f"{{{DS}}}{name}" for name in ("SignedInfo", "SignatureValue",
                                                              "KeyInfo")}
_CHAIN_REASONS = {"expired": "certificate_expired", "not_yet_valid": "certificate_not_yet_valid"}
_CACHE_SIZE = 1024
_TRANSFORMS = f"{{{DS}}}Transforms"
_TRANSFORM = f"{{{DS}}}Transform"
_CONDITIONS = f"{{{SAML2}}}Conditions"
_ISSUER = f"{{{SAML2}}}Issuer"
_AUDIENCE_RESTRICTION = f"{{{SAML2}}}AudienceRestriction"
_SIGNED_INFO = f"{{{DS}}}SignedInfo"
_REFERENCE = f"{{{DS}}}Reference"
_KEY_INFO = f"{{{DS}}}KeyInfo"
_X509_DATA = f"{{{DS}}}X509Data"
_X509_CERTIFICATE = f"{{{DS}}}X509Certificate"


@dataclass(slots=True)
class _TrustedKey:
    """What one KeyInfo content was found to be, so a repeated token costs no PKI work.

    ``valid_from``/``valid_until`` bound the whole chain (latest notBefore, earliest
    notAfter): the dates are still checked on every call, in two comparisons.
    """

    chain: tuple[x509.Certificate, ...]
    public_key: rsa.RSAPublicKey | None
    non_repudiation: bool
    valid_from: datetime
    valid_until: datetime
    issuer_matches: dict[str, bool]


@dataclass(frozen=True, slots=True)
class VerifiedVihf:
    """A VIHF whose signature, trust chain, placement and validity window were checked.

    Attributes:
        claims: read from the signed element only.
        assertion_id: the assertion's ID.
        issue_instant: ``IssueInstant``.
        not_before: ``Conditions/@NotBefore`` if present.
        not_on_or_after: ``Conditions/@NotOnOrAfter`` if present.
        issuer: the ``Issuer`` text.
        certificate: the signing certificate.
        chain: from the signing certificate to the anchor.
        forensics: canonical SignedInfo and digests.
        assertion: the verified element itself.
    """

    claims: VihfClaims
    assertion_id: str
    issue_instant: datetime
    not_before: datetime | None
    not_on_or_after: datetime | None
    issuer: str
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    forensics: SignatureForensics
    assertion: etree._Element


def _named(parent: etree._Element, tag: str) -> list[etree._Element]:
    """The children named ``tag``: a plain loop over a few children beats a tag matcher."""
    return [child for child in parent if child.tag == tag]


def _fail(reason: str, message: str, forensics: SignatureForensics | None = None) -> NoReturn:
    raise VihfVerificationError(reason, message, forensics)


def _has_non_repudiation(certificate: x509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.KeyUsage)
                    .value.content_commitment)
    except x509.ExtensionNotFound:
        return False


def _best_effort_forensics(
    signature: etree._Element, assertion: etree._Element
) -> SignatureForensics | None:
    """What the signature computes with the KeyInfo key, to show beside a trust failure."""
    text = signature.findtext(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")
    try:
        key = x509.load_der_x509_certificate(base64.b64decode("".join((text or "").split()))
                                             ).public_key()
    except (binascii.Error, ValueError):
        return None
    if not isinstance(key, rsa.RSAPublicKey):
        return None
    try:
        return verify_signature(signature, key, AlgorithmPolicy(True, True),
                                resolver=lambda _uri: assertion)
    except SignatureError as exc:
        return exc.forensics


class VihfVerifier:
    """Verifies VIHFs against a trust store; keeps parsed certificates between calls.

    Args:
        trust: the anchors (the local test root, or the IGC-Santé roots).
        clock_skew: tolerance on every date comparison.
        max_age: oldest accepted IssueInstant (None: only Conditions bound the validity).
        allow_sha1: accept rsa-sha1 / sha1 (older samples).
        require_non_repudiation: refuse a signing key without nonRepudiation, as the DMP does.
    """

    def __init__(
        self,
        trust: TrustStore,
        *,
        clock_skew: timedelta = timedelta(minutes=5),
        max_age: timedelta | None = timedelta(hours=24),
        allow_sha1: bool = False,
        require_non_repudiation: bool = True,
    ) -> None:
        self.trust = trust
        self.clock_skew = clock_skew
        self.max_age = max_age
        self.policy = AlgorithmPolicy(allow_sha1=allow_sha1)
        self.require_non_repudiation = require_non_repudiation
        self._certificates: dict[bytes, x509.Certificate] = {}
        # per KeyInfo content: the trusted chain and whether the key may sign a VIHF
        self._trusted: dict[tuple[str | None, ...], _TrustedKey] = {}

    def _certificate(self, text: str | None) -> x509.Certificate:
        try:
            der = base64.b64decode("".join((text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            raise VihfVerificationError("no_certificate", "X509Certificate is not base64") from None
        certificate = self._certificates.get(der)
        if certificate is None:
            try:
                certificate = x509.load_der_x509_certificate(der)
            except ValueError:
                raise VihfVerificationError(
                    "no_certificate", "X509Certificate is not a DER certificate"
                ) from None
            if len(self._certificates) < _CACHE_SIZE:
                self._certificates[der] = certificate
        return certificate

    def _locate(self, root: etree._Element) -> etree._Element:
        assertions = list(root.iter(_ASSERTION))
        if not assertions:
            _fail("no_assertion", "the document holds no saml:Assertion")
        if len(assertions) > 1:
            _fail("multiple_assertions",
                  f"the document holds {len(assertions)} saml:Assertion elements; exactly one "
                  "is allowed (signature wrapping defence)")
        assertion = assertions[0]
        if root.tag == f"{{{SOAP12}}}Envelope":
            security = assertion.getparent()
            header = security.getparent() if security is not None else None
            if (security is None or security.tag != f"{{{WSSE}}}Security" or header is None
                    or header.tag != f"{{{SOAP12}}}Header" or header.getparent() is not root):
                _fail("assertion_misplaced",
                      "the assertion must be a child of soap:Header/wsse:Security")
        elif root is not assertion and root.tag != f"{{{WSSE}}}Security":
            _fail("assertion_misplaced", f"unexpected container {root.tag} around the assertion")
        return assertion

    def _signature(self, assertion: etree._Element, assertion_id: str) -> etree._Element:
        signatures = assertion.iter(_SIGNATURE)
        signature = next(signatures, None)
        if signature is None:
            if next(assertion.getroottree().getroot().iter(_SIGNATURE), None) is not None:
                _fail("signature_misplaced",
                      "the assertion carries no ds:Signature; one sits elsewhere in the document")
            _fail("unsigned", "the assertion carries no ds:Signature")
        if next(signatures, None) is not None:
            _fail("multiple_signatures", "the assertion carries more than one ds:Signature")
        elements = (child for child in assertion if isinstance(child.tag, str))  # no comments
        first, second = next(elements, None), next(elements, None)
        if (signature.getparent() is not assertion or first is None or second is not signature
                or first.tag != _ISSUER):
            _fail("signature_misplaced",
                  "ds:Signature must be the assertion's child right after saml:Issuer")
        for child in signature:
            if isinstance(child.tag, str) and child.tag not in _ALLOWED_SIGNATURE_CHILDREN:
                _fail("signature_misplaced", f"unexpected {child.tag} inside ds:Signature")
        signed_infos = _named(signature, _SIGNED_INFO)
        references = _named(signed_infos[0], _REFERENCE) if signed_infos else []
        if len(references) != 1:
            _fail("reference_mismatch", f"expected one Reference, found {len(references)}")
        uri = references[0].get("URI")
        if uri != f"#{assertion_id}":
            _fail("reference_mismatch",
                  f"the signature covers {uri!r}, not this assertion (#{assertion_id})")
        transforms = [transform.get("Algorithm")
                      for parent in _named(references[0], _TRANSFORMS)
                      for transform in _named(parent, _TRANSFORM)]
        if transforms not in ([ENVELOPED, C14N_EXCLUSIVE], [ENVELOPED]):
            _fail("transforms_not_allowed",
                  f"transforms must be enveloped-signature then exclusive C14N, got {transforms}")
        return signature

    def _trusted_key(self, signature: etree._Element, at: datetime) -> _TrustedKey:
        texts = tuple(certificate.text
                      for key_info in _named(signature, _KEY_INFO)
                      for data in _named(key_info, _X509_DATA)
                      for certificate in _named(data, _X509_CERTIFICATE))
        if not texts:
            _fail("no_certificate", "KeyInfo carries no X509Certificate")
        # keyed by the KeyInfo texts as they are: the same token costs no base64 or DER work
        trusted = self._trusted.get(texts)
        try:
            if trusted is None:
                certificates = [self._certificate(text) for text in texts]
                chain = self.trust.verify(certificates[0], at, extra=certificates[1:],
                                          skew=self.clock_skew)
                public_key = chain[0].public_key()
                trusted = _TrustedKey(
                    chain,
                    public_key if isinstance(public_key, rsa.RSAPublicKey) else None,
                    _has_non_repudiation(certificates[0]),
                    max(link.not_valid_before_utc for link in chain),
                    min(link.not_valid_after_utc for link in chain),
                    {},
                )
                if len(self._trusted) < _CACHE_SIZE:
                    self._trusted[texts] = trusted
            elif not (trusted.valid_from - self.clock_skew <= at
                      <= trusted.valid_until + self.clock_skew):
                # the link at fault names itself in the error
                self.trust.check_dates(trusted.chain, at, self.clock_skew)
        except CertificateChainError as exc:
            raise VihfVerificationError(
                _CHAIN_REASONS.get(exc.reason, "untrusted_certificate"), str(exc)
            ) from None
        if self.require_non_repudiation and not trusted.non_repudiation:
            _fail("DMPInvalidCertificate",
                  "Le certificat ayant signé le VIHF est invalide: the signing key lacks "
                  "nonRepudiation (an AUTH_CLI key was used instead of ORG SIGN)")
        return trusted

    def _check_times(
        self, assertion: etree._Element, at: datetime
    ) -> tuple[datetime, datetime | None, datetime | None]:
        issued = parse_instant(assertion.get("IssueInstant"), "IssueInstant")
        if issued > at + self.clock_skew:
            _fail("issued_in_future",
                  f"IssueInstant {issued.isoformat()} is after {at.isoformat()}")
        if self.max_age is not None and at - self.clock_skew >= issued + self.max_age:
            _fail("expired", f"issued {issued.isoformat()}, older than {self.max_age}")
        conditions = _named(assertion, _CONDITIONS)
        if len(conditions) > 1:
            _fail("malformed", "more than one saml:Conditions")
        not_before = not_after = None
        if conditions:
            if _named(conditions[0], _AUDIENCE_RESTRICTION):
                _fail("malformed", "AudienceRestriction must not be present (REFERENCE §2.1)")
            if conditions[0].get("NotBefore"):
                not_before = parse_instant(conditions[0].get("NotBefore"), "NotBefore")
                if at + self.clock_skew < not_before:
                    _fail("not_yet_valid", f"NotBefore {not_before.isoformat()} not reached")
            if conditions[0].get("NotOnOrAfter"):
                not_after = parse_instant(conditions[0].get("NotOnOrAfter"), "NotOnOrAfter")
                if at - self.clock_skew >= not_after:
                    _fail("expired", f"NotOnOrAfter {not_after.isoformat()} passed")
        return issued, not_before, not_after

    def verify(
        self, document: bytes | etree._Element, *, at: datetime | None = None
    ) -> VerifiedVihf:
        """Verify a VIHF alone, in ``wsse:Security``, or in a whole SOAP envelope.

        Args:
            document: XML bytes (parsed by the hardened parser) or an element (serialized and
                parsed again, so a tree built in memory is checked as a receiver would).
            at: the instant of the check (default: now, the test clock in test mode).

        Raises:
            VihfVerificationError: with a reason code and, for signature failures, forensics.
        """
        # an element is re-read from its bytes: C14N of trees built in memory is unreliable
        data = document if isinstance(document, bytes | bytearray) else etree.tostring(document)
        return self.verify_parsed(parse_xml(data), at=at)

    def verify_parsed(self, root: etree._Element, *, at: datetime | None = None) -> VerifiedVihf:
        """Like :meth:`verify`, on a tree the caller already parsed with ``parse_xml``.

        For the local server, which parses each envelope once. Do not pass a tree built in
        memory: libxml2 may canonicalize it differently from its serialized form.

        Raises:
            VihfVerificationError: as :meth:`verify`.
        """
        moment = at or testmode.now()
        assertion = self._locate(root)
        assertion_id = assertion.get("ID")
        if not assertion_id:
            _fail("missing_id", "the assertion has no ID")
        # The signed ID must name one element only; other ids may repeat (an ITI-41 body
        # repeats each ExtrinsicObject id on its xdsb:Document by design).
        if _ID_COUNT(root, id=assertion_id) != 1:
            _fail("duplicate_id", "another element shares the assertion's ID "
                  "(signature wrapping defence)")
        signature = self._signature(assertion, assertion_id)
        try:
            trusted = self._trusted_key(signature, moment)
        except VihfVerificationError as error:
            error.forensics = error.forensics or _best_effort_forensics(signature, assertion)
            raise
        certificate, chain, public_key = trusted.chain[0], trusted.chain, trusted.public_key
        if public_key is None:
            _fail("untrusted_certificate", "the signing certificate does not hold an RSA key")
        try:
            forensics = verify_signature(signature, public_key, self.policy,
                                         resolver=lambda _uri: assertion)
        except SignatureError as exc:
            raise VihfVerificationError(exc.reason, str(exc), exc.forensics) from None
        for node in assertion.iter(etree.Comment, etree.ProcessingInstruction):
            parent = node.getparent()
            _fail("comment_in_signed_content",
                  "a comment or processing instruction sits inside the signed assertion "
                  f"(in {parent.tag if parent is not None else '?'}): text could be read "
                  "truncated", forensics)
        issuer = element_text(assertion[0], "Issuer")
        matches = trusted.issuer_matches.get(issuer)
        if matches is None:
            matches = dn_matches(issuer, certificate.subject)
            if len(trusted.issuer_matches) < _CACHE_SIZE:
                trusted.issuer_matches[issuer] = matches
        if not matches:
            _fail("issuer_mismatch",
                  f"Issuer {issuer!r} does not name the signing certificate", forensics)
        try:
            issued, not_before, not_after = self._check_times(assertion, moment)
            claims = claims_from_assertion(assertion)
        except VihfReadError as exc:
            raise VihfVerificationError("malformed", str(exc), forensics) from None
        return VerifiedVihf(claims, assertion_id, issued, not_before, not_after, issuer,
                            certificate, chain, forensics, assertion)


def verify_vihf(
    document: bytes | etree._Element,
    trust: TrustStore,
    *,
    at: datetime | None = None,
    clock_skew: timedelta = timedelta(minutes=5),
    max_age: timedelta | None = timedelta(hours=24),
    allow_sha1: bool = False,
) -> VerifiedVihf:
    """One-shot :meth:`VihfVerifier.verify` (build a :class:`VihfVerifier` to reuse caches)."""
    verifier = VihfVerifier(trust, clock_skew=clock_skew, max_age=max_age, allow_sha1=allow_sha1)
    return verifier.verify(document, at=at)
