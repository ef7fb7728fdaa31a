"""Submission-set signature (REFERENCE §3.6): shape, verification, tampering, legacy variant."""

from __future__ import annotations

from pathlib import Path

import pytest
import signxml
from lxml import etree

from dmpkit import testmode
from dmpkit.namespaces import DS, HL7V3, XADES_111
from dmpkit.pki import TestPki, TrustStore
from dmpkit.xades import (
    PURPOSE_OF_SIGNATURE,
    XadesVerificationError,
    sign_submission_set,
    verify_submission_set_signature,
)
from dmpkit.xmldsig import C14N_10_WITH_COMMENTS, DIGEST_SHA1, DIGEST_SHA256, RSA_SHA1
from dmpkit.xmlparse import parse_xml

NS = {"ds": DS, "xades": XADES_111, "hl7": HL7V3}
SET_UID = "1.2.250.1.999.1.1.7.20250115"
PDF_UID = "1.2.250.1.999.1.1.7.2"
PDF = b"%PDF-1.4\n% dmpkit test document\n%%EOF\n"
CDA_SAMPLE = "examples/cda/BIO-CR-BIO_2024.01_TSH_1.xml"


@pytest.fixture
def documents(spec_store: Path) -> list[tuple[str, bytes, bool]]:
    cda = (spec_store / CDA_SAMPLE).read_bytes()
    cda_id = parse_xml(cda).find("hl7:id", NS)
    assert cda_id is not None
    return [(cda_id.get("root", ""), cda, True), (PDF_UID, PDF, False)]


def _verify(signature: etree._Element, documents: list[tuple[str, bytes, bool]],
            trust: TrustStore, **options: object) -> str:
    with pytest.raises(XadesVerificationError) as caught:
        verify_submission_set_signature(etree.tostring(signature), documents, trust,
                                        **options)  # type: ignore[arg-type]
    return caught.value.reason


def test_shape(pki: TestPki, documents: list[tuple[str, bytes, bool]]) -> None:
    signature = sign_submission_set(SET_UID, documents, pki.sign.key, pki.sign.certificate)
    manifest = signature.find("ds:Object/ds:Manifest[@Id='IHEManifest']", NS)
    assert manifest is not None
    assert [r.get("URI") for r in manifest.findall("ds:Reference", NS)] == [
        f"urn:oid:{SET_UID}", f"urn:oid:{documents[0][0]}", f"urn:oid:{PDF_UID}"]
    assert signature.findtext(".//ds:SignatureProperty[@Id='purposeOfSignature']",
                              namespaces=NS) == PURPOSE_OF_SIGNATURE
    assert signature.findtext(".//xades:SigningTime", namespaces=NS) == "2025-01-15T09:30:00Z"
    assert signature.find(".//xades:SigningCertificate/xades:Cert/xades:IssuerSerial",
                          NS) is not None
    methods = {m.get("Algorithm") for m in signature.iter(f"{{{DS}}}DigestMethod")}
    assert methods == {DIGEST_SHA256}


def test_round_trip(pki: TestPki, trust: TrustStore,
                    documents: list[tuple[str, bytes, bool]]) -> None:
    signature = sign_submission_set(SET_UID, documents, pki.sign.key, pki.sign.certificate)
    verified = verify_submission_set_signature(etree.tostring(signature), documents, trust,
                                               submission_set_unique_id=SET_UID)
    assert verified.document_uris == (f"urn:oid:{documents[0][0]}", f"urn:oid:{PDF_UID}")
    assert verified.chain[-1] == pki.root.certificate


def test_signxml_accepts_the_signed_info(pki: TestPki,
                                         documents: list[tuple[str, bytes, bool]]) -> None:
    signature = sign_submission_set(SET_UID, documents, pki.sign.key, pki.sign.certificate)
    config = signxml.SignatureConfiguration(expect_references=3)
    # schema check off: like IHE DSG and the DMP samples, purposeOfSignature is text content,
    # which the xmldsig XSD (element children only) does not allow
    results = signxml.XMLVerifier().verify(etree.tostring(signature),
                                           x509_cert=pki.sign.certificate, expect_config=config,
                                           validate_schema=False)
    assert len(results) == 3


def test_manifest_digest_is_independent_c14n_of_the_cda(
    pki: TestPki, documents: list[tuple[str, bytes, bool]]
) -> None:
    import base64
    import hashlib

    signature = sign_submission_set(SET_UID, documents, pki.sign.key, pki.sign.certificate)
    expected = base64.b64encode(hashlib.sha256(
        etree.tostring(parse_xml(documents[0][1]), method="c14n", with_comments=False)
    ).digest()).decode()
    assert signature.findtext(f".//ds:Manifest/ds:Reference[@URI='urn:oid:{documents[0][0]}']"
                              "/ds:DigestValue", namespaces=NS) == expected
    raw = base64.b64encode(hashlib.sha256(PDF).digest()).decode()
    assert signature.findtext(f".//ds:Manifest/ds:Reference[@URI='urn:oid:{PDF_UID}']"
                              "/ds:DigestValue", namespaces=NS) == raw


def test_tampered_document(pki: TestPki, trust: TrustStore,
                           documents: list[tuple[str, bytes, bool]]) -> None:
    signature = sign_submission_set(SET_UID, documents, pki.sign.key, pki.sign.certificate)
    tampered = [documents[0], (PDF_UID, PDF + b"x", False)]
    assert _verify(signature, tampered, trust) == "document_digest_mismatch"


def test_missing_and_extra_documents(pki: TestPki, trust: TrustStore,
                                     documents: list[tuple[str, bytes, bool]]) -> None:
    signature = sign_submission_set(SET_UID, documents, pki.sign.key, pki.sign.certificate)
    assert _verify(signature, documents[:1], trust) == "missing_document"
    extra = [*documents, ("1.2.250.1.999.1.1.7.3", b"more", False)]
    assert _verify(signature, extra, trust) == "unlisted_document"


def test_other_submission_set(pki: TestPki, trust: TrustStore,
                              documents: list[tuple[str, bytes, bool]]) -> None:
    signature = sign_submission_set(SET_UID, documents, pki.sign.key, pki.sign.certificate)
    assert _verify(signature, documents, trust,
                   submission_set_unique_id="1.2.3") == "submission_set_mismatch"


def test_tampered_manifest_breaks_the_signature(pki: TestPki, trust: TrustStore,
                                                documents: list[tuple[str, bytes, bool]]) -> None:
    signature = sign_submission_set(SET_UID, documents, pki.sign.key, pki.sign.certificate)
    value = signature.find(f".//ds:Manifest/ds:Reference[@URI='urn:oid:{PDF_UID}']/ds:DigestValue",
                           NS)
    assert value is not None
    value.text = "AAAA" + (value.text or "")[4:]
    assert _verify(signature, documents, trust) == "digest_mismatch"


def test_foreign_and_expired_certificates(pki: TestPki, trust: TrustStore,
                                          documents: list[tuple[str, bytes, bool]]) -> None:
    forged = sign_submission_set(SET_UID, documents, pki.foreign_sign.key,
                                 pki.foreign_sign.certificate)
    assert _verify(forged, documents, trust) == "untrusted_certificate"
    expired = sign_submission_set(SET_UID, documents, pki.expired_sign.key,
                                  pki.expired_sign.certificate)
    assert _verify(expired, documents, trust) == "certificate_expired"


def test_legacy_sha1_variant_only_when_configured(
    pki: TestPki, trust: TrustStore, documents: list[tuple[str, bytes, bool]]
) -> None:
    signature = sign_submission_set(SET_UID, documents, pki.sign.key, pki.sign.certificate,
                                    digest="sha1")
    assert signature.find("ds:SignedInfo/ds:SignatureMethod", NS).get(  # type: ignore[union-attr]
        "Algorithm") == RSA_SHA1
    assert signature.find("ds:SignedInfo/ds:CanonicalizationMethod", NS).get(  # type: ignore[union-attr]
        "Algorithm") == C14N_10_WITH_COMMENTS
    assert {m.get("Algorithm") for m in signature.iter(f"{{{DS}}}DigestMethod")} == {DIGEST_SHA1}
    assert _verify(signature, documents, trust) == "algorithm_not_allowed"
    assert _verify(signature, documents, trust, allow_sha1=True) == "algorithm_not_allowed"
    verified = verify_submission_set_signature(etree.tostring(signature), documents, trust,
                                               allow_sha1=True, allow_c14n_with_comments=True)
    assert len(verified.document_uris) == 2


def test_legacy_manifest_without_transforms_uses_c14n_with_comments(
    pki: TestPki, trust: TrustStore, documents: list[tuple[str, bytes, bool]]
) -> None:
    # the samples give the CDA reference no Transform and digest C14N *with comments*
    import base64
    import hashlib

    from dmpkit.xmldsig import finish_signature

    signature = sign_submission_set(SET_UID, documents, pki.sign.key, pki.sign.certificate,
                                    digest="sha1")
    reference = signature.find(f".//ds:Manifest/ds:Reference[@URI='urn:oid:{documents[0][0]}']",
                               NS)
    assert reference is not None
    reference.remove(reference.find("ds:Transforms", NS))  # type: ignore[arg-type]
    with_comments = etree.tostring(parse_xml(documents[0][1]), method="c14n", with_comments=True)
    assert b"<!--" in with_comments  # the sample has comments: the two variants differ
    reference.find("ds:DigestValue", NS).text = base64.b64encode(  # type: ignore[union-attr]
        hashlib.sha1(with_comments).digest()).decode()
    finish_signature(signature, pki.sign.key)
    data = etree.tostring(signature)
    verify_submission_set_signature(data, documents, trust, allow_sha1=True,
                                    allow_c14n_with_comments=True)
    with pytest.raises(XadesVerificationError) as caught:
        verify_submission_set_signature(data, documents, trust, allow_sha1=True)
    assert caught.value.reason == "algorithm_not_allowed"


def test_signature_is_deterministic_in_test_mode(pki: TestPki,
                                                 documents: list[tuple[str, bytes, bool]]) -> None:
    testmode.enable(seed=3)
    first = etree.tostring(sign_submission_set(SET_UID, documents, pki.sign.key,
                                               pki.sign.certificate))
    testmode.enable(seed=3)
    assert etree.tostring(sign_submission_set(SET_UID, documents, pki.sign.key,
                                              pki.sign.certificate)) == first


def test_second_manifest_with_the_same_id_is_refused(
    pki: TestPki, trust: TrustStore, documents: list[tuple[str, bytes, bool]]
) -> None:
    # wrapping: an evil manifest listing other digests, beside the signed one
    import copy

    signature = sign_submission_set(SET_UID, documents, pki.sign.key, pki.sign.certificate)
    manifest = signature.find("ds:Object/ds:Manifest", NS)
    assert manifest is not None
    evil = copy.deepcopy(manifest)
    etree.SubElement(signature, f"{{{DS}}}Object").append(evil)
    assert _verify(signature, documents, trust) == "duplicate_id"


def test_xml_document_that_does_not_parse_is_reported(
    pki: TestPki, trust: TrustStore, documents: list[tuple[str, bytes, bool]]
) -> None:
    signature = sign_submission_set(SET_UID, documents, pki.sign.key, pki.sign.certificate)
    broken = [(documents[0][0], b"<ClinicalDocument", True), documents[1]]
    assert _verify(signature, broken, trust) == "document_digest_mismatch"
