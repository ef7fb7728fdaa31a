"""Verify a submission-set signature against the documents actually submitted.

Checks: the signature itself (references, SignatureValue) under the algorithm policy; that
SignedInfo covers the manifest and the XAdES SignedProperties; the KeyInfo certificate chains
to the configured anchors at the signing time and is the one SignedProperties names; the
manifest lists exactly the submission set and the provided documents, each digest recomputed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from dmpkit.namespaces import DS, XADES, XADES_111
from dmpkit.pki.errors import CertificateChainError
from dmpkit.pki.trust import TrustStore
from dmpkit.xades.digests import SignedDocument, document_octets, documents_from
from dmpkit.xades.errors import XadesVerificationError
from dmpkit.xades.sign import MANIFEST_ID, TYPE_SIGNED_PROPERTIES
from dmpkit.xmldsig import (
    C14N_10,
    C14N_10_WITH_COMMENTS,
    AlgorithmPolicy,
    SignatureError,
    SignatureForensics,
    find_by_id,
    verify_signature,
)
from dmpkit.xmldsig.core import digest
from dmpkit.xmlparse import XmlSecurityError, parse_xml

__all__ = ["VerifiedSubmissionSetSignature", "verify_submission_set_signature"]

_CHAIN_REASONS = {"expired": "certificate_expired", "not_yet_valid": "certificate_not_yet_valid"}


@dataclass(frozen=True, slots=True)
class VerifiedSubmissionSetSignature:
    """A verified submission-set signature.

    Attributes:
        submission_set_uri: ``urn:oid:`` of the signed submission set.
        document_uris: the manifest's document references, in order.
        signing_time: the XAdES SigningTime.
        certificate: the signing certificate.
        chain: from the signing certificate to the anchor.
        forensics: canonical SignedInfo and the SignedInfo references' digests.
    """

    submission_set_uri: str
    document_uris: tuple[str, ...]
    signing_time: datetime
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    forensics: SignatureForensics


def _fail(reason: str, message: str, forensics: SignatureForensics | None = None) -> NoReturn:
    raise XadesVerificationError(reason, message, forensics)


def _ds(name: str) -> str:
    return f"{{{DS}}}{name}"


def _xades_find(parent: etree._Element, path: str) -> etree._Element | None:
    for namespace in (XADES_111, XADES):
        found = parent.find(path.replace("x:", f"{{{namespace}}}"))
        if found is not None:
            return found
    return None


def _certificate(signature: etree._Element) -> x509.Certificate:
    element = signature.find(f"{_ds('KeyInfo')}/{_ds('X509Data')}/{_ds('X509Certificate')}")
    if element is None:
        _fail("no_certificate", "KeyInfo carries no X509Certificate")
    try:
        der = base64.b64decode("".join((element.text or "").split()), validate=True)
        return x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError):
        _fail("no_certificate", "X509Certificate is not a base64 DER certificate")


def _signing_time(signed_properties: etree._Element) -> datetime:
    text = _xades_find(signed_properties, "x:SignedSignatureProperties/x:SigningTime")
    if text is None or not text.text:
        _fail("malformed", "SignedProperties has no SigningTime")
    try:
        moment = datetime.fromisoformat(text.text.strip().replace("Z", "+00:00"))
    except ValueError:
        _fail("malformed", f"SigningTime {text.text!r} is not an xs:dateTime")
    if moment.tzinfo is None:
        _fail("malformed", "SigningTime has no timezone")
    return moment


def _check_signing_certificate(signed_properties: etree._Element,
                               certificate: x509.Certificate, policy: AlgorithmPolicy) -> None:
    cert_digest = _xades_find(
        signed_properties, "x:SignedSignatureProperties/x:SigningCertificate/x:Cert/x:CertDigest")
    if cert_digest is None:
        _fail("malformed", "SignedProperties has no SigningCertificate/Cert/CertDigest")
    method_el = cert_digest.find(_ds("DigestMethod"))
    value_el = cert_digest.find(_ds("DigestValue"))
    method = method_el.get("Algorithm", "") if method_el is not None else ""
    if not policy.accepts_digest(method):
        _fail("algorithm_not_allowed", f"SigningCertificate digest {method or '?'} refused")
    der = certificate.public_bytes(serialization.Encoding.DER)
    expected = "".join(((value_el.text if value_el is not None else "") or "").split())
    if base64.b64encode(digest(der, method)).decode("ascii") != expected:
        _fail("signing_certificate_mismatch",
              "the KeyInfo certificate is not the one named in SignedProperties")


def _reference_types(signature: etree._Element) -> dict[str, str]:
    return {ref.get("URI", ""): ref.get("Type", "")
            for ref in signature.iterfind(f"{_ds('SignedInfo')}/{_ds('Reference')}")}


def verify_submission_set_signature(
    signature_xml: bytes | etree._Element,
    documents: Sequence[tuple[str, bytes, bool]],
    trust: TrustStore,
    *,
    submission_set_unique_id: str | None = None,
    allow_sha1: bool = False,
    allow_c14n_with_comments: bool = False,
    at: datetime | None = None,
    clock_skew: timedelta = timedelta(minutes=5),
) -> VerifiedSubmissionSetSignature:
    """Verify a submission-set signature and every manifest digest against ``documents``.

    Args:
        signature_xml: the signature document (bytes, parsed by the hardened parser) or element.
        documents: ``(uniqueId, content, is_xml)`` of every document submitted with it.
        trust: the anchors the signing certificate must chain to.
        submission_set_unique_id: when given, the manifest must name this submission set.
        allow_sha1: accept rsa-sha1 / sha1 (older samples).
        allow_c14n_with_comments: accept C14N with comments (older samples).
        at: the instant for certificate validity (default: the signing time).
        clock_skew: tolerance on certificate dates.

    Raises:
        XadesVerificationError: with a reason code and, for signature failures, forensics.
    """
    policy = AlgorithmPolicy(allow_sha1=allow_sha1,
                             allow_c14n_with_comments=allow_c14n_with_comments)
    # an element is re-read from its bytes: C14N of trees built in memory is unreliable
    root = parse_xml(signature_xml if isinstance(signature_xml, bytes | bytearray)
                     else etree.tostring(signature_xml))
    signature = root if root.tag == _ds("Signature") else root.find(f".//{_ds('Signature')}")
    if signature is None:
        _fail("malformed", "no ds:Signature in the signature document")
    types = _reference_types(signature)
    if types.get(f"#{MANIFEST_ID}") is None:
        _fail("manifest_not_signed", f"SignedInfo does not reference #{MANIFEST_ID}")
    signed_properties_uris = [uri for uri, kind in types.items() if kind == TYPE_SIGNED_PROPERTIES]
    if len(signed_properties_uris) != 1:
        _fail("signed_properties_not_signed", "SignedInfo must reference one SignedProperties")
    try:
        manifest = find_by_id(root, MANIFEST_ID)
        signed_properties = find_by_id(root, signed_properties_uris[0][1:])
    except SignatureError as exc:
        _fail(exc.reason, str(exc))
    if manifest.tag != _ds("Manifest") or manifest.getparent() is None or \
            manifest.getparent().getparent() is not signature:  # type: ignore[union-attr]
        _fail("malformed", "#IHEManifest must be a ds:Manifest in a ds:Object of the signature")
    certificate = _certificate(signature)
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        _fail("untrusted_certificate", "the signing certificate does not hold an RSA key")
    try:
        forensics = verify_signature(signature, public_key, policy)
    except SignatureError as exc:
        _fail(exc.reason, str(exc), exc.forensics)
    _check_signing_certificate(signed_properties, certificate, policy)
    signing_time = _signing_time(signed_properties)
    try:
        chain = trust.verify(certificate, at or signing_time, skew=clock_skew)
    except CertificateChainError as exc:
        _fail(_CHAIN_REASONS.get(exc.reason, "untrusted_certificate"), str(exc), forensics)
    uris = _check_manifest(manifest, documents, policy, submission_set_unique_id, forensics)
    return VerifiedSubmissionSetSignature(uris[0], tuple(uris[1:]), signing_time, certificate,
                                          chain, forensics)


def _check_manifest(
    manifest: etree._Element,
    documents: Sequence[tuple[str, bytes, bool]],
    policy: AlgorithmPolicy,
    submission_set_unique_id: str | None,
    forensics: SignatureForensics,
) -> list[str]:
    references = manifest.findall(_ds("Reference"))
    if not references:
        _fail("malformed", "the manifest lists nothing", forensics)
    uris = [reference.get("URI", "") for reference in references]
    if len(set(uris)) != len(uris):
        _fail("malformed", "the manifest lists a URI twice", forensics)
    if submission_set_unique_id is not None and uris[0] != f"urn:oid:{submission_set_unique_id}":
        _fail("submission_set_mismatch",
              f"the manifest signs {uris[0]}, not urn:oid:{submission_set_unique_id}", forensics)
    try:
        provided = {document.uri: document for document in documents_from(documents)}
    except ValueError as exc:
        _fail("malformed", f"documents provided: {exc}", forensics)
    for uri in uris[1:]:
        if uri not in provided:
            _fail("missing_document", f"{uri} is signed but was not provided", forensics)
    extra = sorted(set(provided) - set(uris[1:]))
    if extra:
        _fail("unlisted_document", f"{', '.join(extra)} is not covered by the signature",
              forensics)
    for reference, uri in zip(references[1:], uris[1:], strict=True):
        _check_document(reference, provided[uri], policy, forensics)
    return uris


def _check_document(reference: etree._Element, document: SignedDocument,
                    policy: AlgorithmPolicy, forensics: SignatureForensics) -> None:
    method_el = reference.find(_ds("DigestMethod"))
    method = method_el.get("Algorithm", "") if method_el is not None else ""
    if not policy.accepts_digest(method):
        _fail("algorithm_not_allowed", f"digest method {method or '?'} refused", forensics)
    transforms = [t.get("Algorithm", "") for t in
                  reference.iterfind(f"{_ds('Transforms')}/{_ds('Transform')}")]
    if transforms:
        if len(transforms) != 1 or not policy.accepts_c14n(transforms[0]) or \
                transforms[0] not in (C14N_10, C14N_10_WITH_COMMENTS):
            _fail("algorithm_not_allowed", f"document transforms {transforms} refused", forensics)
        candidates = [transforms[0]]
    else:
        # older samples give no transform: C14N, or C14N with comments when allowed
        candidates = [C14N_10] + ([C14N_10_WITH_COMMENTS] if policy.allow_c14n_with_comments
                                  else [])
    expected = "".join((reference.findtext(_ds("DigestValue")) or "").split())
    for canonicalization in candidates:
        try:
            octets = document_octets(document, canonicalization)
        except XmlSecurityError as exc:
            _fail("document_digest_mismatch",
                  f"{document.uri} is flagged XML but cannot be parsed: {exc}", forensics)
        computed = base64.b64encode(digest(octets, method)).decode("ascii")
        if computed == expected:
            return
    _fail("document_digest_mismatch",
          f"{document.uri} differs from the signed document (expected digest {expected}, "
          f"computed {computed})", forensics)

