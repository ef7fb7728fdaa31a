"""Sign a submission set, IHE DSG style with XAdES properties (REFERENCE §3.6).

Shape: ``ds:Signature`` whose SignedInfo references ``#IHEManifest`` (a ``ds:Manifest`` in a
``ds:Object`` listing ``urn:oid:<submission set uniqueId>`` then one ``urn:oid:<document
uniqueId>`` per document, with digests computed here), the XAdES ``SignedProperties``
(SigningTime, SigningCertificate) and the ``purposeOfSignature`` SignatureProperty
(1.2.840.10065.1.12.1.14, "Source"). SHA-256 and exclusive C14N by default; SHA-1 with C14N
with comments reproduces the older samples.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from dmpkit import testmode
from dmpkit.namespaces import DS, XADES_111
from dmpkit.pki.names import rfc2253_dn
from dmpkit.xades.digests import SignedDocument, document_digest, documents_from
from dmpkit.xmldsig import (
    C14N_10,
    C14N_10_WITH_COMMENTS,
    C14N_EXCLUSIVE,
    DIGEST_SHA1,
    DIGEST_SHA256,
    RSA_SHA1,
    RSA_SHA256,
    ReferenceSpec,
    build_signature,
    finish_signature,
)
from dmpkit.xmldsig.core import digest as digest_bytes
from dmpkit.xmlparse import parse_xml

__all__ = [
    "MANIFEST_ID",
    "PURPOSE_OF_SIGNATURE",
    "SUBMISSION_SET_PLACEHOLDER_DIGEST",
    "sign_submission_set",
]

MANIFEST_ID = "IHEManifest"
PURPOSE_OF_SIGNATURE = "1.2.840.10065.1.12.1.14"  # "Source" (ASTM E1762 / HL7)
# the samples put this placeholder as the submission set's digest: the set is not a byte stream
SUBMISSION_SET_PLACEHOLDER_DIGEST = "AA=="
TYPE_MANIFEST = "http://www.w3.org/2000/09/xmldsig#Manifest"
TYPE_SIGNED_PROPERTIES = "http://uri.etsi.org/01903#SignedProperties"
TYPE_SIGNATURE_PROPERTIES = "http://www.w3.org/2000/09/xmldsig#SignatureProperties"


def _ds(name: str) -> str:
    return f"{{{DS}}}{name}"


def _xades(name: str) -> str:
    return f"{{{XADES_111}}}{name}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _manifest(documents: Sequence[SignedDocument], set_uid: str, method: str,
              with_comments: bool) -> etree._Element:
    manifest = etree.Element(_ds("Manifest"), Id=MANIFEST_ID)
    set_reference = etree.SubElement(manifest, _ds("Reference"), URI=f"urn:oid:{set_uid}")
    etree.SubElement(set_reference, _ds("DigestMethod"), Algorithm=method)
    etree.SubElement(set_reference, _ds("DigestValue")).text = SUBMISSION_SET_PLACEHOLDER_DIGEST
    for document in documents:
        reference = etree.SubElement(manifest, _ds("Reference"), URI=document.uri)
        if document.is_xml:
            transforms = etree.SubElement(reference, _ds("Transforms"))
            etree.SubElement(transforms, _ds("Transform"),
                             Algorithm=C14N_10_WITH_COMMENTS if with_comments else C14N_10)
        etree.SubElement(reference, _ds("DigestMethod"), Algorithm=method)
        etree.SubElement(reference, _ds("DigestValue")).text = _b64(
            document_digest(document, method, with_comments))
    return manifest


def _qualifying_properties(signature_id: str, certificate: x509.Certificate,
                           signing_time: datetime, method: str) -> etree._Element:
    qualifying = etree.Element(_xades("QualifyingProperties"), nsmap={"xades": XADES_111},
                               Target=f"#{signature_id}")
    signed = etree.SubElement(qualifying, _xades("SignedProperties"),
                              Id=f"{signature_id}-SignedProperties")
    properties = etree.SubElement(signed, _xades("SignedSignatureProperties"))
    etree.SubElement(properties, _xades("SigningTime")).text = signing_time.strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    cert = etree.SubElement(etree.SubElement(properties, _xades("SigningCertificate")),
                            _xades("Cert"))
    cert_digest = etree.SubElement(cert, _xades("CertDigest"))
    etree.SubElement(cert_digest, _ds("DigestMethod"), Algorithm=method)
    der = certificate.public_bytes(serialization.Encoding.DER)
    etree.SubElement(cert_digest, _ds("DigestValue")).text = _b64(digest_bytes(der, method))
    issuer_serial = etree.SubElement(cert, _xades("IssuerSerial"))
    etree.SubElement(issuer_serial, _ds("X509IssuerName")).text = rfc2253_dn(certificate.issuer)
    etree.SubElement(issuer_serial, _ds("X509SerialNumber")).text = str(certificate.serial_number)
    policy = etree.SubElement(properties, _xades("SignaturePolicyIdentifier"))
    etree.SubElement(policy, _xades("SignaturePolicyImplied"))
    return qualifying


def sign_submission_set(
    submission_set_unique_id: str,
    documents: Sequence[tuple[str, bytes, bool]],
    key: rsa.RSAPrivateKey,
    cert: x509.Certificate,
    *,
    digest: str = "sha256",
    signature_id: str | None = None,
    signing_time: datetime | None = None,
) -> etree._Element:
    """Sign a submission set: the XAdES ``ds:Signature`` that goes in the signature entry.

    Args:
        submission_set_unique_id: the submission set uniqueId (an OID).
        documents: ``(uniqueId, content, is_xml)`` of every document of the set.
        key: the ORG SIGN private key.
        cert: its certificate.
        digest: ``"sha256"`` (default), or ``"sha1"`` for the legacy variant of the samples
            (rsa-sha1, SHA-1 digests, C14N with comments).
        signature_id: the ``Id`` of ``ds:Signature`` (default: a UUID-based id).
        signing_time: default: now (the test clock in test mode).

    Returns:
        The ``ds:Signature`` element (serialize it as the signature document's content).

    Raises:
        ValueError: unknown digest name, or duplicated document uniqueIds.
    """
    if digest not in ("sha256", "sha1"):
        raise ValueError(f"digest must be 'sha256' or 'sha1', not {digest!r}")
    legacy = digest == "sha1"
    method = DIGEST_SHA1 if legacy else DIGEST_SHA256
    c14n = C14N_10_WITH_COMMENTS if legacy else C14N_EXCLUSIVE
    wrapped = documents_from(documents)
    identifier = signature_id or f"_{testmode.new_uuid()}"
    moment = signing_time or testmode.now()
    same_document = ((c14n, ()),) if not legacy else ()
    references = [
        ReferenceSpec(f"#{MANIFEST_ID}", same_document, method, TYPE_MANIFEST),
        ReferenceSpec(f"#{identifier}-SignedProperties", same_document, method,
                      TYPE_SIGNED_PROPERTIES),
        ReferenceSpec(f"#{identifier}-SignatureProperties", same_document, method,
                      TYPE_SIGNATURE_PROPERTIES),
    ]
    signature = build_signature(references, certificate=cert, canonicalization=c14n,
                                signature_method=RSA_SHA1 if legacy else RSA_SHA256,
                                signature_id=identifier)
    etree.SubElement(signature, _ds("Object")).append(
        _qualifying_properties(identifier, cert, moment, method))
    properties = etree.SubElement(etree.SubElement(signature, _ds("Object")),
                                  _ds("SignatureProperties"),
                                  Id=f"{identifier}-SignatureProperties")
    etree.SubElement(properties, _ds("SignatureProperty"), Id="purposeOfSignature",
                     Target=f"#{identifier}").text = PURPOSE_OF_SIGNATURE
    etree.SubElement(signature, _ds("Object")).append(
        _manifest(wrapped, submission_set_unique_id, method, legacy))
    # sign the parsed form: libxml2's C14N of a tree built in memory can differ from it
    parsed = parse_xml(etree.tostring(signature))
    finish_signature(parsed, key)
    return parsed
