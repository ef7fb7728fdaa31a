"""Read VIHF claims back from an assertion element (no signature check here)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from lxml import etree

from dmpkit.namespaces import HL7V3, SAML2
from dmpkit.vihf.claims import (
    AttributeName,
    AuthentificationMode,
    CodedValue,
    PurposeOfUse,
    VihfClaims,
)
from dmpkit.vihf.errors import VihfReadError
from dmpkit.vihf.ins import InsIdentifier

__all__ = ["claims_from_assertion", "element_text", "parse_instant"]


def _saml(name: str) -> str:
    return f"{{{SAML2}}}{name}"


_ATTRIBUTE = _saml("Attribute")
_DECL = _saml("AuthnContextDecl")
# each Attribute followed by its own values, in document order: one call into libxml2
_ATTRIBUTES_AND_VALUES = etree.XPath(
    "saml:Attribute | saml:Attribute/saml:AttributeValue", namespaces={"saml": SAML2}
)


def element_text(element: etree._Element, what: str) -> str:
    """The text of a leaf element, refusing comments, PIs or child elements inside it.

    ``8999<!---->00077985`` would otherwise read as ``8999`` through ``.text``.
    """
    if len(element):
        raise VihfReadError(f"{what} must hold text only, found child nodes")
    return (element.text or "").strip()


def parse_instant(text: str | None, what: str) -> datetime:
    """Parse an xs:dateTime that must carry a timezone."""
    if not text:
        raise VihfReadError(f"{what} is missing")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise VihfReadError(f"{what} {text!r} is not an xs:dateTime") from None
    if moment.tzinfo is None:
        raise VihfReadError(f"{what} {text!r} has no timezone")
    return moment


def _children(parent: etree._Element) -> dict[str, list[etree._Element]]:
    """Child elements grouped by name, in one pass (a tag matcher per lookup costs more)."""
    grouped: dict[str, list[etree._Element]] = {}
    for child in parent:
        tag = child.tag
        if isinstance(tag, str):
            grouped.setdefault(tag, []).append(child)
    return grouped


def _one(
    children: dict[str, list[etree._Element]], name: str, what: str
) -> etree._Element:
    found = children.get(_saml(name), [])
    if len(found) != 1:
        raise VihfReadError(f"{what}: expected exactly one saml:{name}, found {len(found)}")
    return found[0]


def _child(parent: etree._Element, name: str, what: str) -> etree._Element:
    return _one(_children(parent), name, what)


@lru_cache(maxsize=256)
def _ins_from_cx(text: str) -> InsIdentifier:
    """:meth:`InsIdentifier.from_cx`, memoized: a pure parse of an immutable string."""
    return InsIdentifier.from_cx(text)


def _coded(value: etree._Element, what: str) -> CodedValue:
    children = [child for child in value if isinstance(child.tag, str)]
    if len(children) != 1 or not children[0].tag.startswith(f"{{{HL7V3}}}"):
        raise VihfReadError(f"{what}: AttributeValue must hold one HL7 v3 CE element")
    ce = children[0]
    code, system = ce.get("code"), ce.get("codeSystem")
    if not code or not system:
        raise VihfReadError(f"{what}: CE element without code or codeSystem")
    return CodedValue(code, system, ce.get("displayName", ""), ce.get("codeSystemName", ""))


def claims_from_assertion(assertion: etree._Element) -> VihfClaims:
    """The claims stated by ``assertion``, read from its direct children only.

    Raises:
        VihfReadError: a mandatory element or attribute is missing, duplicated or malformed.
    """
    top = _children(assertion)
    subject = _one(top, "Subject", "Assertion")
    name_id = element_text(_child(subject, "NameID", "Subject"), "NameID")
    authn = _one(top, "AuthnStatement", "Assertion")
    context = _child(authn, "AuthnContext", "AuthnStatement")
    in_context = _children(context)
    class_ref = element_text(_one(in_context, "AuthnContextClassRef", "AuthnContext"),
                             "AuthnContextClassRef")
    decls = in_context.get(_DECL)
    decl = element_text(decls[0], "AuthnContextDecl") if decls else None
    statement = _one(top, "AttributeStatement", "Assertion")
    values: dict[str, list[etree._Element]] = {}
    current: list[etree._Element] = []
    for node in _ATTRIBUTES_AND_VALUES(statement):  # type: ignore[union-attr]
        assert isinstance(node, etree._Element)
        if node.tag == _ATTRIBUTE:
            name = node.get("Name", "")
            if name in values:
                raise VihfReadError(f"attribute {name} appears twice")
            current = values[name] = []
        else:
            current.append(node)

    def single(name: AttributeName, required: bool = True) -> str | None:
        found = values.get(name)
        if found is None:
            if required:
                raise VihfReadError(f"attribute {name} is missing")
            return None
        if len(found) != 1:
            raise VihfReadError(f"attribute {name} must have one value, has {len(found)}")
        return element_text(found[0], name)

    def text(name: AttributeName) -> str:
        value = single(name)
        assert value is not None
        return value

    roles = tuple(_coded(value, AttributeName.ROLE)
                  for value in values.get(AttributeName.ROLE, []))
    purposes = values.get(AttributeName.PURPOSE_OF_USE, [])
    if len(purposes) != 1:
        raise VihfReadError(f"attribute {AttributeName.PURPOSE_OF_USE} must have one value")
    purpose = _coded(purposes[0], AttributeName.PURPOSE_OF_USE)
    confidentiality = values.get(AttributeName.CONFIDENTIALITY_CODE)
    confidentiality_code = (
        _coded(confidentiality[0], AttributeName.CONFIDENTIALITY_CODE)
        if confidentiality else None
    )
    sector_text = text(AttributeName.SECTEUR_ACTIVITE)
    sector_code, caret, sector_system = sector_text.partition("^")
    resource = single(AttributeName.RESOURCE_ID, required=False)
    mode = single(AttributeName.AUTHENTIFICATION_MODE, required=False)
    try:
        return VihfClaims(
            name_id=name_id,
            subject_id=text(AttributeName.SUBJECT_ID),
            roles=roles,
            secteur_activite=CodedValue(sector_code, sector_system if caret else ""),
            identifiant_structure=text(AttributeName.IDENTIFIANT_STRUCTURE),
            resource_id=_ins_from_cx(resource) if resource is not None else None,
            ressource_urn=text(AttributeName.RESSOURCE_URN),
            purpose_of_use=PurposeOfUse(purpose.code),
            authentification_mode=AuthentificationMode(mode) if mode is not None else None,
            confidentiality_code=confidentiality_code,
            lps_nom=text(AttributeName.LPS_NOM),
            lps_version=single(AttributeName.LPS_VERSION, required=False) or "",
            lps_id=single(AttributeName.LPS_ID, required=False),
            lps_id_homologation_dmp=text(AttributeName.LPS_ID_HOMOLOGATION_DMP),
            vihf_version=text(AttributeName.VIHF_VERSION),
            authn_context_class=class_ref,
            authn_context_decl=decl,
        )
    except ValueError as exc:
        raise VihfReadError(str(exc)) from None
