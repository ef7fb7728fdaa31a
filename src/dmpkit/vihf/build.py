"""Write VIHF claims as an unsigned SAML 2.0 assertion, in the child order of REFERENCE §2.1."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from dmpkit.namespaces import HL7V3, SAML2, XSI
from dmpkit.vihf.claims import (
    OID_MODE_ACCES,
    PURPOSE_DISPLAY,
    AttributeName,
    CodedValue,
    VihfClaims,
)

__all__ = ["ISSUER_FORMAT", "build_assertion", "saml_instant"]

ISSUER_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
# prefixes as in the ANS example, whose InclusiveNamespaces PrefixList is "ds saml #default xsi"
NSMAP = {"saml": SAML2, "xsi": XSI}


def _saml(name: str) -> str:
    return f"{{{SAML2}}}{name}"


def saml_instant(moment: datetime) -> str:
    """An xs:dateTime in UTC with milliseconds, as the samples write it."""
    if moment.tzinfo is None:
        raise ValueError("VIHF instants must be timezone-aware")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _attribute(statement: etree._Element, name: AttributeName, *values: str) -> None:
    attribute = etree.SubElement(statement, _saml("Attribute"), Name=name.value)
    for value in values:
        etree.SubElement(attribute, _saml("AttributeValue")).text = value


def _coded(statement: etree._Element, name: AttributeName, element: str,
           values: tuple[CodedValue, ...]) -> None:
    attribute = etree.SubElement(statement, _saml("Attribute"), Name=name.value)
    for coded in values:
        holder = etree.SubElement(attribute, _saml("AttributeValue"))
        ce = etree.SubElement(holder, f"{{{HL7V3}}}{element}", nsmap={None: HL7V3})  # type: ignore[dict-item]
        ce.set("code", coded.code)
        ce.set("codeSystem", coded.code_system)
        if coded.code_system_name:
            ce.set("codeSystemName", coded.code_system_name)
        if coded.display_name:
            ce.set("displayName", coded.display_name)
        ce.set(f"{{{XSI}}}type", "CE")


def build_assertion(
    claims: VihfClaims,
    *,
    issuer_dn: str,
    assertion_id: str,
    issue_instant: datetime,
    authn_instant: datetime | None = None,
    not_before: datetime | None = None,
    not_on_or_after: datetime | None = None,
) -> etree._Element:
    """The unsigned ``saml:Assertion`` of ``claims`` (call :func:`check_claims` first).

    Args:
        claims: what the token states.
        issuer_dn: RFC 2253 DN of the signing certificate.
        assertion_id: the ``ID`` (an NCName, e.g. ``_`` + UUID).
        issue_instant: ``IssueInstant``.
        authn_instant: when the user logged in (default: ``issue_instant``).
        not_before: ``Conditions/@NotBefore`` (Conditions is omitted when both bounds are None).
        not_on_or_after: ``Conditions/@NotOnOrAfter``.
    """
    assertion = etree.Element(_saml("Assertion"), nsmap=NSMAP)
    assertion.set("ID", assertion_id)
    assertion.set("IssueInstant", saml_instant(issue_instant))
    assertion.set("Version", "2.0")
    issuer = etree.SubElement(assertion, _saml("Issuer"), Format=ISSUER_FORMAT)
    issuer.text = issuer_dn
    subject = etree.SubElement(assertion, _saml("Subject"))
    etree.SubElement(subject, _saml("NameID")).text = claims.name_id
    if not_before is not None or not_on_or_after is not None:
        conditions = etree.SubElement(assertion, _saml("Conditions"))
        if not_before is not None:
            conditions.set("NotBefore", saml_instant(not_before))
        if not_on_or_after is not None:
            conditions.set("NotOnOrAfter", saml_instant(not_on_or_after))
    authn = etree.SubElement(assertion, _saml("AuthnStatement"),
                             AuthnInstant=saml_instant(authn_instant or issue_instant))
    context = etree.SubElement(authn, _saml("AuthnContext"))
    etree.SubElement(context, _saml("AuthnContextClassRef")).text = claims.authn_context_class
    if claims.authn_context_decl:
        etree.SubElement(context, _saml("AuthnContextDecl")).text = claims.authn_context_decl

    statement = etree.SubElement(assertion, _saml("AttributeStatement"))
    _attribute(statement, AttributeName.VIHF_VERSION, claims.vihf_version)
    _attribute(statement, AttributeName.SUBJECT_ID, claims.subject_id)
    _coded(statement, AttributeName.ROLE, "Role", claims.roles)
    sector = claims.secteur_activite
    _attribute(statement, AttributeName.SECTEUR_ACTIVITE, f"{sector.code}^{sector.code_system}")
    _attribute(statement, AttributeName.IDENTIFIANT_STRUCTURE, claims.identifiant_structure)
    if claims.resource_id is not None:
        _attribute(statement, AttributeName.RESOURCE_ID, claims.resource_id.to_cx())
    _attribute(statement, AttributeName.RESSOURCE_URN, claims.ressource_urn)
    purpose = CodedValue(claims.purpose_of_use.value, OID_MODE_ACCES,
                         PURPOSE_DISPLAY[claims.purpose_of_use], "mode acces VIHF 1.0")
    _coded(statement, AttributeName.PURPOSE_OF_USE, "PurposeOfUse", (purpose,))
    if claims.authentification_mode is not None:
        _attribute(statement, AttributeName.AUTHENTIFICATION_MODE, claims.authentification_mode)
    if claims.confidentiality_code is not None:
        # element shape not public (REFERENCE §8.7): a CE like Role and PurposeOfUse
        _coded(statement, AttributeName.CONFIDENTIALITY_CODE, "ConfidentialityCode",
               (claims.confidentiality_code,))
    _attribute(statement, AttributeName.LPS_NOM, claims.lps_nom)
    _attribute(statement, AttributeName.LPS_VERSION, claims.lps_version)
    if claims.lps_id is not None:
        _attribute(statement, AttributeName.LPS_ID, claims.lps_id)
    _attribute(statement, AttributeName.LPS_ID_HOMOLOGATION_DMP, claims.lps_id_homologation_dmp)
    return assertion
