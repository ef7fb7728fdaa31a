"""CDA header → XDS DocumentEntry: every metadata item the DMP takes from the CDA (REFERENCE §3.2).

uniqueId ← ``id/@root``; patientId ← the INS of ``recordTarget``; sourcePatientId ← the
local id (IPP) else the INS; sourcePatientInfo ← PID-5/7/8 from the patient; author ←
``author`` (XCN person, XON institution, role, specialty); classCode ← derived from the
typeCode (ASS_X16, then ASS_X04); typeCode ← ``code``; formatCode ← the N1 media type, else
the document template through ASS_A11; healthcareFacilityTypeCode ←
``componentOf//healthCareFacility/code``; practiceSettingCode ←
``documentationOf//representedOrganization/standardIndustryClassCode``; confidentialityCode
← ``confidentialityCode``; eventCodeList ← ``serviceEvent/code``; creationTime ←
``effectiveTime``; serviceStart/StopTime ← ``serviceEvent/effectiveTime/low|high``;
languageCode, legalAuthenticator, title; mimeType ``text/xml``; hash (SHA-1) and size.
Times are converted to UTC ``YYYYMMDDhhmmss``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lxml import etree

from dmpkit.cda.builder import N1_FORMATS
from dmpkit.findings import Finding, Severity
from dmpkit.identifiers.hl7v2 import Cwe, Cx, Hd, Xcn, Xon
from dmpkit.identifiers.ins import INS_AUTHORITIES
from dmpkit.metadata.model import Author, CodedValue, DocumentEntry
from dmpkit.valuesets import ValueSetError, registry
from dmpkit.xmlparse import parse_xml

__all__ = ["CdaMetadata", "document_entry_from_cda"]

_C = "{urn:hl7-org:v3}"
_IDNAT_PS = "1.2.250.1.71.4.2.1"
_IDNAT_STRUCTURE = "1.2.250.1.71.4.2.2"


@dataclass(frozen=True, slots=True)
class CdaMetadata:
    """The DocumentEntry derived from a CDA, and what could not be derived."""

    entry: DocumentEntry
    findings: tuple[Finding, ...]


def _find(element: etree._Element, path: str) -> etree._Element | None:
    found = element.find(path.replace("c:", _C))
    return found


def _coded(element: etree._Element | None) -> CodedValue | None:
    if element is None or element.get("code") is None:
        return None
    return CodedValue(element.get("code", ""), element.get("codeSystem", ""),
                      element.get("displayName", ""))


def _xds_time(value: str | None) -> str | None:
    """A CDA TS as XDS UTC ``YYYYMMDDhhmmss`` (kept at its precision when it has no zone)."""
    if not value:
        return None
    digits, sign, zone = value, "", ""
    for mark in ("+", "-"):
        if mark in value[8:]:
            position = value.index(mark, 8)
            digits, sign, zone = value[:position], mark, value[position + 1:]
    digits = digits.split(".")[0]
    if not zone or len(digits) < 12:
        return digits
    moment = datetime.strptime(digits.ljust(14, "0"), "%Y%m%d%H%M%S")
    offset = timedelta(hours=int(zone[:2]), minutes=int(zone[2:4] or 0))
    moment = (moment - offset if sign == "+" else moment + offset).replace(tzinfo=UTC)
    return moment.strftime("%Y%m%d%H%M%S")[: max(len(digits), 12)]


def _name_parts(person: etree._Element | None) -> tuple[str, str, str]:
    if person is None:
        return "", "", ""
    name = person.find(_C + "name")
    if name is None:
        return "", "", ""
    family = name.find(_C + "family")
    given = name.find(_C + "given")
    prefix = name.find(_C + "prefix")
    return ((family.text or "").strip() if family is not None else "",
            (given.text or "").strip() if given is not None else "",
            (prefix.text or "").strip() if prefix is not None else "")


def _xcn(identifier: etree._Element | None, person: etree._Element | None) -> Xcn | None:
    if identifier is None:
        return None
    family, given, prefix = _name_parts(person)
    root = identifier.get("root", "")
    return Xcn(id_number=identifier.get("extension", ""), family_name=family, given_name=given,
               prefix=prefix, assigning_authority=Hd.iso(root), name_type_code="D",
               identifier_type_code="IDNPS" if root == _IDNAT_PS else "")


def _xon(organization: etree._Element | None) -> Xon | None:
    if organization is None:
        return None
    identifier = organization.find(_C + "id")
    name = organization.find(_C + "name")
    root = identifier.get("root", "") if identifier is not None else ""
    return Xon(organization_name=" ".join((name.text or "").split()) if name is not None else "",
               assigning_authority=Hd.iso(root) if root else Hd(),
               identifier_type_code="IDNST" if root == _IDNAT_STRUCTURE else "",
               organization_identifier=(identifier.get("extension", "")
                                        if identifier is not None else ""))


def _cwe(element: etree._Element | None) -> Cwe | None:
    if element is None or element.get("code") is None:
        return None
    return Cwe(element.get("code", ""), element.get("displayName", ""),
               element.get("codeSystem", ""))


def _author(author: etree._Element) -> Author:
    assigned = author.find(_C + "assignedAuthor")
    if assigned is None:
        return Author()
    person = assigned.find(_C + "assignedPerson")
    xcn = _xcn(assigned.find(_C + "id"), person)
    xon = _xon(assigned.find(_C + "representedOrganization"))
    role = _cwe(author.find(_C + "functionCode"))
    specialty = _cwe(assigned.find(_C + "code"))
    return Author(person=xcn, institutions=[xon] if xon else [], roles=[role] if role else [],
                  specialties=[specialty] if specialty else [])


def _patient_ids(root: etree._Element) -> tuple[Cx | None, Cx | None]:
    ins: Cx | None = None
    local: Cx | None = None
    for identifier in root.iterfind(f"{_C}recordTarget/{_C}patientRole/{_C}id"):
        oid, extension = identifier.get("root", ""), identifier.get("extension", "")
        if oid in INS_AUTHORITIES and ins is None:
            ins = Cx(id_number=extension, assigning_authority=Hd.iso(oid),
                     identifier_type_code="NH")
        elif local is None and extension:
            local = Cx(id_number=extension, assigning_authority=Hd.iso(oid),
                       identifier_type_code="PI")
    return ins, local or ins


def _source_patient_info(root: etree._Element) -> list[str]:
    patient = root.find(f"{_C}recordTarget/{_C}patientRole/{_C}patient")
    if patient is None:
        return []
    name = patient.find(_C + "name")
    family = given = ""
    if name is not None:
        birth = name.find(f"{_C}family[@qualifier='BR']")
        family_element = birth if birth is not None else name.find(_C + "family")
        given_element = name.find(f"{_C}given[@qualifier='BR']")
        if given_element is None:
            given_element = name.find(_C + "given")
        family = (family_element.text or "").strip() if family_element is not None else ""
        given = (given_element.text or "").strip() if given_element is not None else ""
    info = [f"PID-5|{family}^{given}^^^^^L"]
    birth_time = patient.find(_C + "birthTime")
    if birth_time is not None and birth_time.get("value"):
        info.append(f"PID-7|{birth_time.get('value', '')[:8]}")
    gender = patient.find(_C + "administrativeGenderCode")
    if gender is not None and gender.get("code"):
        info.append(f"PID-8|{gender.get('code')}")
    return info


def _format_code(root: etree._Element) -> tuple[CodedValue | None, str]:
    text = root.find(f"{_C}component/{_C}nonXMLBody/{_C}text")
    template_ids = [t.get("root", "") for t in root.findall(_C + "templateId")]
    if text is not None:
        wanted = N1_FORMATS.get(text.get("mediaType", ""))
        if wanted is None:
            return None, f"nonXMLBody mediaType {text.get('mediaType')!r} has no N1 formatCode"
        template_ids = ["1.3.6.1.4.1.19376.1.2.20"]
    else:
        wanted = None
    for template_id in reversed(template_ids):
        for concept in registry.derive("formatCode", template_id):
            if wanted is None or concept.code == wanted:
                return CodedValue(concept.code, concept.code_system, concept.display or ""), ""
    return None, f"no ASS_A11 formatCode for templateIds {', '.join(template_ids)}"


def _missing(item: str, location: str, allowed: str) -> Finding:
    return Finding(Severity.ERROR, "CDA-XDS-MAPPING", "XDSRegistryMetadataError", item, location,
                   None, allowed, "complete the CDA header, or set the item by hand")


def document_entry_from_cda(document: bytes, *, entry_uuid: str = "Document01") -> CdaMetadata:
    """Derive the XDS DocumentEntry of a CDA document from its header.

    Args:
        document: the CDA bytes (they are hashed and measured as stored).
        entry_uuid: the symbolic id of the entry in the submission.

    Returns:
        The entry and an error finding for each required item the header lacks.

    Raises:
        dmpkit.xmlparse.XmlSecurityError: the document is refused by the hardened parser.
    """
    root = parse_xml(document)
    findings: list[Finding] = []
    entry = DocumentEntry(entry_uuid=entry_uuid, mime_type="text/xml",
                          hash=hashlib.sha1(document).hexdigest(),  # noqa: S324 - XDS hash is SHA-1
                          size=len(document))
    identifier = root.find(_C + "id")
    if identifier is not None and identifier.get("root"):
        # The DMP takes a plain OID as uniqueId: it does not support OID^extension.
        entry.unique_id = identifier.get("root")
        if identifier.get("extension"):
            entry.unique_id = f"{identifier.get('root')}^{identifier.get('extension')}"
            findings.append(Finding(
                Severity.WARNING, "DMP-DE-UNIQUEID-OID", "XDSRegistryMetadataError",
                "DocumentEntry.uniqueId", "/ClinicalDocument/id", entry.unique_id,
                "a plain OID (the DMP does not support OID^extension)",
                "give the document an id with a root only"))
    else:
        findings.append(_missing("DocumentEntry.uniqueId", "/ClinicalDocument/id", "an OID"))
    entry.patient_id, entry.source_patient_id = _patient_ids(root)
    if entry.patient_id is None:
        findings.append(_missing("DocumentEntry.patientId",
                                 "/ClinicalDocument/recordTarget/patientRole/id",
                                 "an INS (roots 1.2.250.1.213.1.4.8 to .11)"))
    entry.source_patient_info = _source_patient_info(root)
    entry.authors = [_author(a) for a in root.findall(_C + "author")]
    entry.type_code = _coded(root.find(_C + "code"))
    if entry.type_code is not None:
        try:
            classes = registry.derive("classCode", entry.type_code.code,
                                      entry.type_code.scheme or None)
        except ValueSetError:
            classes = ()
        if classes:
            entry.class_code = CodedValue(classes[0].code, classes[0].code_system,
                                          classes[0].display or "")
        else:
            findings.append(_missing("DocumentEntry.classCode", "/ClinicalDocument/code",
                                     "a typeCode mapped by ASS_X16/ASS_X04"))
    entry.format_code, problem = _format_code(root)
    if entry.format_code is None:
        findings.append(_missing("DocumentEntry.formatCode", "/ClinicalDocument/templateId",
                                 problem))
    entry.healthcare_facility_type_code = _coded(root.find(
        f"{_C}componentOf/{_C}encompassingEncounter/{_C}location/{_C}healthCareFacility/{_C}code"))
    entry.practice_setting_code = _coded(root.find(
        f"{_C}documentationOf/{_C}serviceEvent/{_C}performer/{_C}assignedEntity/"
        f"{_C}representedOrganization/{_C}standardIndustryClassCode"))
    confidentiality = _coded(root.find(_C + "confidentialityCode"))
    entry.confidentiality_codes = [confidentiality] if confidentiality else []
    entry.event_codes = [c for c in (_coded(e) for e in root.iterfind(
        f"{_C}documentationOf/{_C}serviceEvent/{_C}code")) if c is not None]
    effective = root.find(_C + "effectiveTime")
    entry.creation_time = _xds_time(effective.get("value") if effective is not None else None)
    low = root.find(f"{_C}documentationOf/{_C}serviceEvent/{_C}effectiveTime/{_C}low")
    high = root.find(f"{_C}documentationOf/{_C}serviceEvent/{_C}effectiveTime/{_C}high")
    entry.service_start_time = _xds_time(low.get("value") if low is not None else None)
    entry.service_stop_time = _xds_time(high.get("value") if high is not None else None)
    language = root.find(_C + "languageCode")
    entry.language_code = language.get("code") if language is not None else None
    authenticator = root.find(f"{_C}legalAuthenticator/{_C}assignedEntity")
    if authenticator is not None:
        entry.legal_authenticator = _xcn(authenticator.find(_C + "id"),
                                         authenticator.find(_C + "assignedPerson"))
    title = root.find(_C + "title")
    entry.title = (" ".join("".join(str(t) for t in title.itertext()).split())
                   if title is not None else None)
    for item, value in (("healthcareFacilityTypeCode", entry.healthcare_facility_type_code),
                        ("practiceSettingCode", entry.practice_setting_code),
                        ("creationTime", entry.creation_time),
                        ("serviceStartTime", entry.service_start_time),
                        ("legalAuthenticator", entry.legal_authenticator)):
        if value is None:
            findings.append(_missing(f"DocumentEntry.{item}", "/ClinicalDocument",
                                     "a value from the CDA header (REFERENCE §3.2)"))
    return CdaMetadata(entry, tuple(findings))
