"""Signature wrapping (XSW1–XSW8), comment injection and friends: every one is refused.

Each attack starts from a validly signed VIHF in a SOAP envelope's ``wsse:Security`` header
and rearranges it the way the McIntosh/Somorovsky XSW family does: the signed assertion moved
into a ``ds:Object``, an ``Extensions`` wrapper or beside an evil copy that sits where a naive
consumer reads. A naive consumer — "verify the signature, then read the first assertion" —
is shown to be fooled where it matters, and dmpkit's verifier refuses each with a reason.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
import signxml
from lxml import etree

from dmpkit import testmode
from dmpkit.namespaces import DS, SAML2, SOAP12, WSSE, WSU
from dmpkit.pki import TestPki, TrustStore
from dmpkit.soap import Addressing, build_envelope
from dmpkit.vihf import VihfClaims, VihfSigner, VihfVerificationError, build_assertion, verify_vihf

NS = {"saml": SAML2, "ds": DS, "wsse": WSSE, "soap": SOAP12}
CLOCK = testmode.DEFAULT_TEST_CLOCK
EVIL_NAME_ID = "800000000666"


def _envelope(pki: TestPki) -> etree._Element:
    assertion = VihfSigner.from_certified_key(pki.sign).sign(VihfClaims())
    body = etree.Element("{urn:hl7-org:v3}PRPA_IN201307UV02")
    return build_envelope(body, addressing=Addressing(action="urn:hl7-org:v3:PRPA_IN201307UV02"),
                          security=[assertion])


def _parts(envelope: etree._Element) -> tuple[etree._Element, etree._Element]:
    security = envelope.find("soap:Header/wsse:Security", NS)
    assert security is not None
    assertion = security.find("saml:Assertion", NS)
    assert assertion is not None
    return security, assertion


def _evil(original: etree._Element, keep_signature: bool, same_id: bool = False) -> etree._Element:
    evil = copy.deepcopy(original)
    if not same_id:
        evil.set("ID", "_evil")
    name_id = evil.find("saml:Subject/saml:NameID", NS)
    assert name_id is not None
    name_id.text = EVIL_NAME_ID
    if not keep_signature:
        signature = evil.find("ds:Signature", NS)
        assert signature is not None
        evil.remove(signature)
    return evil


def _ds_object(signature: etree._Element, content: etree._Element) -> None:
    etree.SubElement(signature, f"{{{DS}}}Object").append(content)


def xsw1(envelope: etree._Element) -> None:
    """Evil assertion in place, carrying the signature; the original inside its ds:Object."""
    security, original = _parts(envelope)
    evil = _evil(original, keep_signature=True)
    security.replace(original, evil)
    signature = evil.find("ds:Signature", NS)
    assert signature is not None
    _ds_object(signature, original)


def xsw2(envelope: etree._Element) -> None:
    """The signed original detached before an evil copy carrying the signature."""
    security, original = _parts(envelope)
    evil = _evil(original, keep_signature=True)
    security.append(evil)


def xsw3(envelope: etree._Element) -> None:
    """An unsigned evil copy with the same ID placed first, the original after it."""
    security, original = _parts(envelope)
    security.insert(0, _evil(original, keep_signature=False, same_id=True))


def xsw4(envelope: etree._Element) -> None:
    """An evil copy with the same ID wrapping the original."""
    security, original = _parts(envelope)
    evil = _evil(original, keep_signature=False, same_id=True)
    security.replace(original, evil)
    evil.append(original)


def xsw5(envelope: etree._Element) -> None:
    """Evil content keeps the signature; an unsigned copy of the original appended at the end."""
    security, original = _parts(envelope)
    evil = _evil(original, keep_signature=True)
    untouched = copy.deepcopy(original)
    untouched.remove(untouched.find("ds:Signature", NS))
    security.replace(original, evil)
    security.append(untouched)


def xsw6(envelope: etree._Element) -> None:
    """Evil content keeps the signature; the original (unsigned) inside the signature's Object."""
    security, original = _parts(envelope)
    evil = _evil(original, keep_signature=True)
    security.replace(original, evil)
    untouched = copy.deepcopy(original)
    untouched.remove(untouched.find("ds:Signature", NS))
    signature = evil.find("ds:Signature", NS)
    assert signature is not None
    _ds_object(signature, untouched)


def xsw7(envelope: etree._Element) -> None:
    """The signed original hidden in an Extensions element of an evil assertion."""
    security, original = _parts(envelope)
    evil = _evil(original, keep_signature=False)
    security.replace(original, evil)
    etree.SubElement(evil, f"{{{SAML2}}}Extensions").append(original)


def xsw8(envelope: etree._Element) -> None:
    """Evil assertion with the signature, whose ds:Object holds the original minus signature."""
    security, original = _parts(envelope)
    evil = _evil(original, keep_signature=True)
    signature = evil.find("ds:Signature", NS)
    assert signature is not None
    untouched = copy.deepcopy(original)
    untouched.remove(untouched.find("ds:Signature", NS))
    _ds_object(signature, untouched)
    security.replace(original, evil)


ATTACKS: dict[str, Callable[[etree._Element], None]] = {
    "XSW1": xsw1, "XSW2": xsw2, "XSW3": xsw3, "XSW4": xsw4,
    "XSW5": xsw5, "XSW6": xsw6, "XSW7": xsw7, "XSW8": xsw8,
}


def _refusal(envelope: etree._Element, trust: TrustStore) -> str:
    with pytest.raises(VihfVerificationError) as caught:
        verify_vihf(etree.tostring(envelope), trust, at=CLOCK)
    return caught.value.reason


def _naive_consumer(envelope: etree._Element, pki: TestPki) -> str | None:
    """Verify "a" signature with signxml, then read the first NameID in Security."""
    try:
        signxml.XMLVerifier().verify(etree.tostring(envelope), x509_cert=pki.sign.certificate,
                                     validate_schema=False)
    except signxml.exceptions.SignXMLException:
        return None
    return envelope.findtext("soap:Header/wsse:Security/saml:Assertion/saml:Subject/saml:NameID",
                             namespaces=NS)


def test_the_untouched_envelope_verifies(pki: TestPki, trust: TrustStore) -> None:
    envelope = _envelope(pki)
    assert verify_vihf(etree.tostring(envelope), trust, at=CLOCK).claims.name_id == "899900077985"


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_wrapping_attack_is_refused(name: str, pki: TestPki, trust: TrustStore) -> None:
    envelope = _envelope(pki)
    ATTACKS[name](envelope)
    assert _refusal(envelope, trust) == "multiple_assertions"


def test_some_wrapping_attacks_fool_a_naive_consumer(pki: TestPki) -> None:
    # evidence the variants are real attacks, not strawmen
    fooled = []
    for name, attack in sorted(ATTACKS.items()):
        envelope = _envelope(pki)
        attack(envelope)
        if _naive_consumer(envelope, pki) == EVIL_NAME_ID:
            fooled.append(name)
    assert len(fooled) >= 2, f"only {fooled} fooled the naive consumer"


def test_same_id_elsewhere_is_refused(pki: TestPki, trust: TrustStore) -> None:
    envelope = _envelope(pki)
    _, assertion = _parts(envelope)
    body = envelope.find("soap:Body", NS)
    assert body is not None
    body[0].set(f"{{{WSU}}}Id", assertion.get("ID", ""))
    assert _refusal(envelope, trust) == "duplicate_id"


def test_signature_moved_out_of_the_assertion_is_refused(pki: TestPki, trust: TrustStore) -> None:
    envelope = _envelope(pki)
    security, assertion = _parts(envelope)
    signature = assertion.find("ds:Signature", NS)
    assert signature is not None
    security.append(signature)  # enveloped digest still matches: only placement tells
    assert _refusal(envelope, trust) == "signature_misplaced"


def test_signature_over_another_id_is_refused(pki: TestPki, trust: TrustStore) -> None:
    envelope = _envelope(pki)
    _, assertion = _parts(envelope)
    assertion.set("ID", "_evil")
    assert _refusal(envelope, trust) == "reference_mismatch"


def test_assertion_outside_security_is_refused(pki: TestPki, trust: TrustStore) -> None:
    envelope = _envelope(pki)
    _security, assertion = _parts(envelope)
    body = envelope.find("soap:Body", NS)
    assert body is not None
    body.append(assertion)
    assert _refusal(envelope, trust) == "assertion_misplaced"


def test_unsigned_assertion_is_refused(pki: TestPki, trust: TrustStore) -> None:
    assertion = build_assertion(VihfClaims(), issuer_dn=VihfSigner.from_certified_key(
        pki.sign).issuer_dn, assertion_id="_unsigned", issue_instant=CLOCK)
    with pytest.raises(VihfVerificationError) as caught:
        verify_vihf(etree.tostring(assertion), trust, at=CLOCK)
    assert caught.value.reason == "unsigned"


@pytest.mark.parametrize(
    ("path", "split_at"),
    [("saml:Subject/saml:NameID", 4),
     ("saml:AttributeStatement/saml:Attribute[@Name='Identifiant_Structure']/saml:AttributeValue",
      3)],
)
def test_comment_injection_is_refused(
    path: str, split_at: int, pki: TestPki, trust: TrustStore
) -> None:
    envelope = _envelope(pki)
    _, assertion = _parts(envelope)
    target = assertion.find(path, NS)
    assert target is not None and target.text
    whole = target.text
    target.text = whole[:split_at]
    comment = etree.Comment("")
    comment.tail = whole[split_at:]
    target.append(comment)  # e.g. 8999<!---->00077985
    # the signature itself still verifies (C14N drops comments) and .text is now truncated
    assert _naive_consumer(envelope, pki) == "8999" or target.text == whole[:split_at]
    assert _refusal(envelope, trust) == "comment_in_signed_content"


def test_processing_instruction_injection_is_refused(pki: TestPki, trust: TrustStore) -> None:
    envelope = _envelope(pki)
    _, assertion = _parts(envelope)
    name_id = assertion.find("saml:Subject/saml:NameID", NS)
    assert name_id is not None
    name_id.append(etree.ProcessingInstruction("x"))
    # unlike comments, C14N keeps processing instructions: the digest already breaks
    assert _refusal(envelope, trust) == "digest_mismatch"
