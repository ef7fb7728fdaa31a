"""The signed assertion's shape: REFERENCE §2.1 child order, §2.3 attributes, §2.4 signature."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import signxml
from lxml import etree

from dmpkit import testmode
from dmpkit.namespaces import DS, HL7V3, SAML2, XSI
from dmpkit.pki import TestPki, TrustStore
from dmpkit.vihf import (
    AttributeName,
    AuthentificationMode,
    CodedValue,
    VihfClaims,
    VihfSigner,
    verify_vihf,
)
from dmpkit.xmldsig import C14N_EXCLUSIVE, DIGEST_SHA256, ENVELOPED, RSA_SHA256
from dmpkit.xsdvalidate import validate

NS = {"saml": SAML2, "ds": DS, "hl7": HL7V3, "ec": C14N_EXCLUSIVE}
CLOCK = testmode.DEFAULT_TEST_CLOCK
SECRET = CodedValue("INVISIBLE_REPRESENTANTS_LEGAUX", "1.2.250.1.213.1.1.4.13",
                    "Non visible par les représentants légaux du patient")


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _signed(pki: TestPki, claims: VihfClaims) -> etree._Element:
    return VihfSigner.from_certified_key(pki.sign).sign(claims)


def test_children_follow_reference_order(pki: TestPki) -> None:
    assertion = _signed(pki, VihfClaims())
    assert [_local(child) for child in assertion] == [
        "Issuer", "Signature", "Subject", "Conditions", "AuthnStatement", "AttributeStatement"]
    assert assertion.get("Version") == "2.0"
    assert assertion.get("IssueInstant", "").endswith("Z")


def test_assertion_is_valid_against_the_saml_schema(pki: TestPki, spec_store: Path) -> None:
    claims = dataclasses.replace(VihfClaims(), confidentiality_code=SECRET, lps_id="1.2.3")
    issues = validate(_signed(pki, claims), "saml", store=spec_store)
    # the HL7 v3 CE type of Role/PurposeOfUse is outside the SAML schema set: only that remains
    assert issues
    assert all("'{urn:hl7-org:v3}CE'" in issue.message for issue in issues), issues


def test_issuer_is_the_rfc2253_dn_of_the_signing_certificate(pki: TestPki) -> None:
    issuer = _signed(pki, VihfClaims()).find("saml:Issuer", NS)
    assert issuer is not None
    assert issuer.get("Format") == "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
    text = issuer.text or ""
    assert "ST=Paris (75)" in text and "S=" not in text.replace("ST=", "")
    assert "OU=" + pki.structure.identifiant_structure in text


def test_every_attribute_of_reference_2_3_is_written(pki: TestPki) -> None:
    claims = dataclasses.replace(VihfClaims(), confidentiality_code=SECRET,
                                 lps_id="1.2.250.1.259.1.1.1234567890",
                                 authentification_mode=AuthentificationMode.INDIRECTE_RENFORCEE)
    assertion = _signed(pki, claims)
    names = [a.get("Name") for a in assertion.iterfind("saml:AttributeStatement/saml:Attribute",
                                                        NS)]
    assert names == [name.value for name in AttributeName]

    def value(name: AttributeName) -> str:
        found = assertion.findtext(
            f"saml:AttributeStatement/saml:Attribute[@Name='{name.value}']/saml:AttributeValue",
            namespaces=NS)
        assert found is not None
        return found

    assert value(AttributeName.VIHF_VERSION) == "3.0"
    assert value(AttributeName.SECTEUR_ACTIVITE) == "SA01^1.2.250.1.71.4.2.4"
    assert value(AttributeName.RESOURCE_ID) == "279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH"
    assert value(AttributeName.RESSOURCE_URN) == "urn:dmp"
    assert value(AttributeName.AUTHENTIFICATION_MODE) == "INDIRECTE_RENFORCEE"
    roles = assertion.findall(
        f"saml:AttributeStatement/saml:Attribute[@Name='{AttributeName.ROLE.value}']"
        "/saml:AttributeValue/hl7:Role", NS)
    assert [(r.get("code"), r.get("codeSystem")) for r in roles] == [
        ("10", "1.2.250.1.71.1.2.7"), ("SM26", "1.2.250.1.71.4.2.5")]
    assert all(r.get(f"{{{XSI}}}type") == "CE" for r in roles)
    purpose = assertion.find(".//hl7:PurposeOfUse", NS)
    assert purpose is not None
    assert (purpose.get("code"), purpose.get("codeSystem")) == ("normal", "1.2.250.1.213.1.1.4.248")


def test_signature_shape_matches_reference_2_4(pki: TestPki) -> None:
    signature = _signed(pki, VihfClaims()).find("ds:Signature", NS)
    assert signature is not None
    assert signature.find("ds:SignedInfo/ds:CanonicalizationMethod", NS).get(  # type: ignore[union-attr]
        "Algorithm") == C14N_EXCLUSIVE
    assert signature.find("ds:SignedInfo/ds:SignatureMethod", NS).get(  # type: ignore[union-attr]
        "Algorithm") == RSA_SHA256
    transforms = signature.findall("ds:SignedInfo/ds:Reference/ds:Transforms/ds:Transform", NS)
    assert [t.get("Algorithm") for t in transforms] == [ENVELOPED, C14N_EXCLUSIVE]
    prefixes = transforms[1].find("ec:InclusiveNamespaces", NS)
    assert prefixes is not None and prefixes.get("PrefixList") == "ds saml #default xsi"
    assert signature.find("ds:SignedInfo/ds:Reference/ds:DigestMethod", NS).get(  # type: ignore[union-attr]
        "Algorithm") == DIGEST_SHA256
    assert signature.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS) is not None


def test_signxml_verifies_what_dmpkit_signs(pki: TestPki) -> None:
    data = etree.tostring(_signed(pki, VihfClaims()))
    result = signxml.XMLVerifier().verify(data, x509_cert=pki.sign.certificate)
    assert etree.QName(result.signed_xml).localname == "Assertion"


def test_dmpkit_verifies_what_signxml_signs(pki: TestPki, trust: TrustStore) -> None:
    unsigned = _signed(pki, VihfClaims())
    unsigned.remove(unsigned.find("ds:Signature", NS))  # type: ignore[arg-type]
    unsigned.insert(1, etree.Element(f"{{{DS}}}Signature", Id="placeholder", nsmap={"ds": DS}))
    signed = signxml.XMLSigner(c14n_algorithm=C14N_EXCLUSIVE).sign(
        unsigned, key=pki.sign.key, cert=[pki.sign.certificate],
        reference_uri="#" + unsigned.get("ID", ""))
    signed.find("ds:Signature", NS).attrib.pop("Id", None)  # type: ignore[union-attr]
    verified = verify_vihf(etree.tostring(signed), trust, at=CLOCK)
    assert verified.claims == VihfClaims()


def test_signing_is_deterministic_in_test_mode(pki: TestPki) -> None:
    signer = VihfSigner.from_certified_key(pki.sign)
    testmode.enable(seed=7, at=CLOCK)
    first = etree.tostring(signer.sign(VihfClaims()))
    testmode.enable(seed=7, at=CLOCK)
    assert etree.tostring(signer.sign(VihfClaims())) == first
