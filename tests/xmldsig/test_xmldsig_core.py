"""The thin XML-DSig core: canonicalization modes, enveloped transform, ID resolution."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from dmpkit.namespaces import DS
from dmpkit.xmldsig import (
    C14N_10,
    C14N_EXCLUSIVE,
    C14N_EXCLUSIVE_WITH_COMMENTS,
    ENVELOPED,
    AlgorithmPolicy,
    ReferenceSpec,
    SignatureError,
    canonicalize,
    find_by_id,
    verify_signature,
)
from dmpkit.xmlparse import parse_xml

DOC = b'<r xmlns:u="urn:u"><a Id="x" xmlns:v="urn:v"><b>t<!--c-->u</b></a></r>'


def test_comments_are_dropped_unless_asked() -> None:
    element = parse_xml(DOC)[0]
    assert canonicalize(element, C14N_EXCLUSIVE) == b'<a Id="x"><b>tu</b></a>'
    assert b"<!--c-->" in canonicalize(element, C14N_EXCLUSIVE_WITH_COMMENTS)
    # inclusive C14N keeps the namespaces in scope from ancestors
    assert canonicalize(element, C14N_10).startswith(b'<a xmlns:u="urn:u" xmlns:v="urn:v"')


def test_ids_must_be_unique() -> None:
    root = parse_xml(b'<r><a ID="x"/><b Id="x"/></r>')
    with pytest.raises(SignatureError) as caught:
        find_by_id(root, "x")
    assert caught.value.reason == "duplicate_id"
    with pytest.raises(SignatureError) as missing:
        find_by_id(root, "y")
    assert missing.value.reason == "reference_not_found"


def _signed_document(key: rsa.RSAPrivateKey) -> etree._Element:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    from dmpkit import testmode
    from dmpkit.xmldsig import RSA_SHA256, build_signature, finish_signature

    now = testmode.DEFAULT_TEST_CLOCK
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "t")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now).sign(key, hashes.SHA256()))
    # pretty-printed: whitespace around the signature must survive the enveloped transform
    root = parse_xml(b'<doc ID="d">\n  <item>1</item>\n</doc>')
    signature = build_signature([ReferenceSpec("#d", ((ENVELOPED, ()), (C14N_EXCLUSIVE, ())))],
                                certificate=cert, canonicalization=C14N_EXCLUSIVE,
                                signature_method=RSA_SHA256)
    signature.tail = "\n  "
    root.insert(0, signature)
    parsed = parse_xml(etree.tostring(root))
    finish_signature(parsed[0], key)
    return parse_xml(etree.tostring(parsed))


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_enveloped_signature_round_trip_keeps_surrounding_whitespace(
    key: rsa.RSAPrivateKey
) -> None:
    document = _signed_document(key)
    signature = document.find(f"{{{DS}}}Signature")
    assert signature is not None
    forensics = verify_signature(signature, key.public_key(), AlgorithmPolicy())
    assert forensics.references[0].digest_input == b'<doc ID="d">\n  \n  <item>1</item>\n</doc>'
    item = document.find("item")
    assert item is not None
    item.text = "2"
    with pytest.raises(SignatureError) as caught:
        verify_signature(signature, key.public_key(), AlgorithmPolicy())
    assert caught.value.reason == "digest_mismatch"
    assert caught.value.forensics is not None


def test_unknown_transform_is_refused(key: rsa.RSAPrivateKey) -> None:
    document = _signed_document(key)
    transform = document.find(f".//{{{DS}}}Transform")
    assert transform is not None
    transform.set("Algorithm", "http://www.w3.org/TR/1999/REC-xslt-19991116")
    signature = document.find(f"{{{DS}}}Signature")
    assert signature is not None
    with pytest.raises(SignatureError) as caught:
        verify_signature(signature, key.public_key(), AlgorithmPolicy())
    assert caught.value.reason == "unsupported_transform"
