"""Build N1 (structuration minimale, unstructured body) CDA documents with the ANS classes.

The header follows the CI-SIS cardinalities (REFERENCE §3.7): realmCode FR, typeId, the three
templateIds of an unstructured document (HL7 France, CI-SIS header, IHE XDS-SD), id, code,
title, effectiveTime, confidentialityCode, languageCode fr-FR, setId, versionNumber,
recordTarget, author(s), custodian, legalAuthenticator, documentationOf, relatedDocument
(replacement), componentOf. The body is a ``nonXMLBody`` holding the file in base64.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from dmpkit_bindings.cda import models as m

from dmpkit import testmode
from dmpkit.bindings import serialize
from dmpkit.cda import inputs as cda_in
from dmpkit.cda.pdfa import pdfa_findings
from dmpkit.errors import DmpkitError
from dmpkit.findings import Finding

__all__ = [
    "N1_FORMATS",
    "N1BuildError",
    "N1Builder",
    "N1Document",
    "N1Result",
    "uuid_oid",
]

#: Media types the CI-SIS allows in an N1 body → XDS formatCode (README-fr, ASS_A12 [C]).
N1_FORMATS: dict[str, str] = {
    "application/pdf": "urn:ihe:iti:xds-sd:pdf:2008",
    "text/plain": "urn:ihe:iti:xds-sd:text:2008",
    "image/jpeg": "urn:ihe:iti-fr:xds-sd:jpeg:2010",
    "text/rtf": "urn:ihe:iti-fr:xds-sd:rtf:2010",
    "image/tiff": "urn:ihe:iti-fr:xds-sd:tiff:2010",
}
TEMPLATE_HL7_FRANCE = "2.16.840.1.113883.2.8.2.1"
TEMPLATE_CISIS_HEADER = "1.2.250.1.213.1.1.1.1"
TEMPLATE_XDS_SD = "1.3.6.1.4.1.19376.1.2.20"
_LOINC = "2.16.840.1.113883.6.1"


class N1BuildError(DmpkitError, ValueError):
    """The inputs cannot make a valid N1 document (the message says which input)."""


def uuid_oid() -> str:
    """A fresh OID under ``2.25`` (UUID-derived, ISO/IEC 9834-8), deterministic in test mode."""
    return f"2.25.{testmode.new_uuid().int}"


@dataclass(frozen=True, slots=True)
class N1Document:
    """Everything an N1 document says.

    Attributes:
        content: the file to embed (PDF, text...).
        media_type: its media type, one of :data:`N1_FORMATS`.
        type_code: the document type (JDV_J07 / J66, e.g. LOINC 11502-2).
        title: the document title.
        patient: the patient (INS).
        authors: one or more authors.
        custodian: the structure keeping the document.
        legal_authenticator: who authenticates it.
        service_event: the main act documented.
        encounter: the encounter.
        confidentiality: the confidentiality code (default N, Normal).
        effective_time: creation time (default: now).
        document_id: the CDA id root (default: a fresh 2.25 OID).
        set_id: the id shared by every version (default: a fresh OID).
        version_number: the version (1 for a first document).
        replaces: the document this one replaces, if any.
    """

    content: bytes
    media_type: str
    type_code: cda_in.Code
    title: str
    patient: cda_in.Patient
    authors: Sequence[cda_in.Author]
    custodian: cda_in.Organization
    legal_authenticator: cda_in.LegalAuthenticator
    service_event: cda_in.ServiceEvent
    encounter: cda_in.Encounter
    confidentiality: cda_in.Code = field(default_factory=lambda: cda_in.Code(
        "N", "2.16.840.1.113883.5.25", "Normal", "Confidentiality"))
    effective_time: datetime | None = None
    document_id: str | None = None
    set_id: str | None = None
    version_number: int = 1
    replaces: cda_in.ReplacedDocument | None = None


@dataclass(frozen=True, slots=True)
class N1Result:
    """A built document: the generated-class instance, its XML and the builder's findings."""

    document: m.ClinicalDocument
    xml: bytes
    findings: tuple[Finding, ...]
    format_code: str


def _ts(value: datetime | date) -> m.TS_1:
    return m.TS_1(value=_ts_text(value))


def _ts_text(value: datetime | date) -> str:
    if not isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    if value.tzinfo is None:
        raise N1BuildError(f"timestamp {value.isoformat()} has no time zone; CDA times need one")
    offset = value.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return value.strftime("%Y%m%d%H%M%S") + f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _ce(code: cda_in.Code) -> m.CE_1:
    return m.CE_1(code=code.code, code_system=code.code_system, display_name=code.display_name,
                  code_system_name=code.code_system_name)


def _ii(root: str, extension: str | None = None) -> m.II_1:
    return m.II_1(root=root, extension=extension)


def _address(address: cda_in.Address | None) -> m.AD_1:
    if address is None:
        return m.AD_1(null_flavor=m.NullFlavor_1.NASK)
    parts: list[object] = []
    for value, cls in ((address.house_number, m.adxphouseNumber_1),
                       (address.street_name, m.adxpstreetName_1),
                       (address.postal_code, m.adxppostalCode_1),
                       (address.city, m.adxpcity_1), (address.country, m.adxpcountry_1)):
        if value:
            parts.append(cls(content=[value]))
    return m.AD_1(content=parts)


def _telecom(value: str | None) -> m.TEL_1:
    if not value:
        return m.TEL_1(null_flavor=m.NullFlavor_1.NASK)
    return m.TEL_1(value=value, use=[m.TelecommunicationAddressUse_1.WP])


def _person(name: cda_in.PersonName) -> m.POCD_MT000040Person:
    parts: list[object] = []
    if name.prefix:
        parts.append(m.enprefix_1(content=[name.prefix]))
    parts.append(m.engiven_1(content=[name.given]))
    parts.append(m.enfamily_1(content=[name.family]))
    if name.suffix:
        parts.append(m.ensuffix_1(content=[name.suffix]))
    return m.POCD_MT000040Person(name=[m.PN_1(content=parts)])


def _organization(org: cda_in.Organization,
                  practice_setting: cda_in.Code | None = None) -> m.POCD_MT000040Organization:
    return m.POCD_MT000040Organization(
        id=[_ii(org.id_root, org.id_nat)], name=[m.ON_1(content=[org.name])],
        telecom=[_telecom(org.telecom)] if org.telecom else [],
        addr=[_address(org.address)] if org.address else [],
        standard_industry_class_code=_ce(practice_setting) if practice_setting else None)


def _record_target(patient: cda_in.Patient) -> m.POCD_MT000040RecordTarget:
    patient.ins.check()
    ids = [_ii(patient.ins.oid, patient.ins.matricule)]
    if patient.local_id is not None:
        ids.append(_ii(*patient.local_id))
    if patient.gender not in ("F", "M", "U"):
        raise N1BuildError(f"patient gender {patient.gender!r}: use F, M or U")
    genders = {"F": "Féminin", "M": "Masculin", "U": "Inconnu"}
    # INS traits: birth name (BR), all given names (no qualifier), first given name (BR).
    names: list[object] = [m.enfamily_1(content=[patient.birth_name],
                                        qualifier=[m.EntityNamePartQualifier_1.BR]),
                           m.engiven_1(content=[patient.given_names or patient.given]),
                           m.engiven_1(content=[patient.given],
                                       qualifier=[m.EntityNamePartQualifier_1.BR])]
    if patient.used_name:
        names.append(m.enfamily_1(content=[patient.used_name],
                                  qualifier=[m.EntityNamePartQualifier_1.CL]))
    person = m.POCD_MT000040Patient(
        name=[m.PN_1(content=names)],
        administrative_gender_code=m.CE_1(code=patient.gender, code_system="2.16.840.1.113883.5.1",
                                          display_name=genders[patient.gender]),
        birth_time=_ts(patient.birth_date),
        birthplace=m.POCD_MT000040Birthplace(place=m.POCD_MT000040Place(
            addr=m.AD_1(content=[m.adxpcounty_1(content=[patient.birth_place_cog])]))))
    return m.POCD_MT000040RecordTarget(patient_role=m.POCD_MT000040PatientRole(
        id=ids, addr=[_address(patient.address)], telecom=[], patient=person))


def _author(author: cda_in.Author) -> m.POCD_MT000040Author:
    professional = author.professional
    return m.POCD_MT000040Author(
        time=_ts(author.time),
        assigned_author=m.POCD_MT000040AssignedAuthor(
            id=[_ii(professional.id_root, professional.id_nat)], code=_ce(professional.specialty),
            assigned_person_or_assigned_authoring_device=_person(professional.name),
            represented_organization=_organization(author.organization)))


def _custodian(org: cda_in.Organization) -> m.POCD_MT000040Custodian:
    return m.POCD_MT000040Custodian(assigned_custodian=m.POCD_MT000040AssignedCustodian(
        represented_custodian_organization=m.POCD_MT000040CustodianOrganization(
            id=[_ii(org.id_root, org.id_nat)], name=m.ON_1(content=[org.name]),
            telecom=_telecom(org.telecom), addr=_address(org.address))))


def _legal_authenticator(value: cda_in.LegalAuthenticator) -> m.POCD_MT000040LegalAuthenticator:
    professional = value.professional
    return m.POCD_MT000040LegalAuthenticator(
        time=_ts(value.time), signature_code=m.CS_1(code="S"),
        assigned_entity=m.POCD_MT000040AssignedEntity(
            id=[_ii(professional.id_root, professional.id_nat)],
            assigned_person=_person(professional.name)))


def _interval(start: datetime, end: datetime | None) -> m.IVL_TS_1:
    bounds: list[object] = [m.IVL_TS_1.low(value=_ts_text(start))]
    if end is not None:
        if end < start:
            raise N1BuildError(f"end {end.isoformat()} is before start {start.isoformat()}")
        bounds.append(m.IVL_TS_1.high(value=_ts_text(end)))
    return m.IVL_TS_1(choice=bounds)


def _documentation_of(event: cda_in.ServiceEvent) -> m.POCD_MT000040DocumentationOf:
    professional = event.performer
    performer = m.POCD_MT000040Performer1(
        type_code=m.x_ServiceEventPerformer.PRF,
        assigned_entity=m.POCD_MT000040AssignedEntity(
            id=[_ii(professional.id_root, professional.id_nat)],
            code=_ce(professional.specialty), assigned_person=_person(professional.name),
            represented_organization=_organization(event.performer_organization,
                                                   event.practice_setting)))
    return m.POCD_MT000040DocumentationOf(service_event=m.POCD_MT000040ServiceEvent(
        code=_ce(event.code) if event.code else None,
        effective_time=_interval(event.start, event.end), performer=[performer]))


def _component_of(encounter: cda_in.Encounter) -> m.POCD_MT000040Component1:
    facility = m.POCD_MT000040HealthCareFacility(
        id=[_ii(*encounter.facility_id)] if encounter.facility_id else [],
        code=_ce(encounter.facility_type))
    return m.POCD_MT000040Component1(encompassing_encounter=m.POCD_MT000040EncompassingEncounter(
        effective_time=_interval(encounter.start, encounter.end),
        location=m.POCD_MT000040Location(health_care_facility=facility)))


def _related(replaced: cda_in.ReplacedDocument) -> m.POCD_MT000040RelatedDocument:
    return m.POCD_MT000040RelatedDocument(
        type_code=m.x_ActRelationshipDocument.RPLC,
        parent_document=m.POCD_MT000040ParentDocument(
            id=[_ii(replaced.document_id)],
            set_id=_ii(replaced.set_id) if replaced.set_id else None,
            version_number=(m.INT_1(value=replaced.version_number)
                            if replaced.version_number is not None else None)))


class N1Builder:
    """Builds N1 documents; stateless apart from its options."""

    def build(self, spec: N1Document) -> N1Result:
        """Build the document and its XML.

        Returns:
            The generated-class instance, its UTF-8 XML, warnings (e.g. a PDF that is not
            PDF/A) and the XDS formatCode of the body's media type.

        Raises:
            N1BuildError: an input cannot be used (unknown media type, no author, bad INS...).
        """
        format_code = N1_FORMATS.get(spec.media_type)
        if format_code is None:
            raise N1BuildError(f"media type {spec.media_type!r} is not allowed in an N1 body; "
                               f"use one of {', '.join(N1_FORMATS)}")
        if not spec.authors:
            raise N1BuildError("an N1 document needs at least one author")
        if not spec.content:
            raise N1BuildError("the document content is empty")
        findings: list[Finding] = []
        if spec.media_type == "application/pdf":
            findings.extend(pdfa_findings(spec.content))
        created = spec.effective_time or testmode.now().astimezone(UTC)
        document = m.ClinicalDocument(
            realm_code=[m.CS_1(code="FR")],
            type_id=m.POCD_MT000040InfrastructureRoottypeId(root="2.16.840.1.113883.1.3",
                                                            extension="POCD_HD000040"),
            template_id=[_ii(TEMPLATE_HL7_FRANCE), _ii(TEMPLATE_CISIS_HEADER),
                         _ii(TEMPLATE_XDS_SD)],
            id=_ii(spec.document_id or uuid_oid()),
            code=_ce(spec.type_code),
            title=m.ST_1(content=[spec.title]),
            effective_time=_ts(created),
            confidentiality_code=_ce(spec.confidentiality),
            language_code=m.CS_1(code="fr-FR"),
            set_id=_ii(spec.set_id or uuid_oid()),
            version_number=m.INT_1(value=spec.version_number),
            record_target=[_record_target(spec.patient)],
            author=[_author(a) for a in spec.authors],
            custodian=_custodian(spec.custodian),
            legal_authenticator=_legal_authenticator(spec.legal_authenticator),
            documentation_of=[_documentation_of(spec.service_event)],
            related_document=[_related(spec.replaces)] if spec.replaces else [],
            component_of=_component_of(spec.encounter),
            component=m.POCD_MT000040Component2(
                non_xmlbody_or_structured_body=m.POCD_MT000040NonXMLBody(text=m.ED_1(
                    media_type=spec.media_type, representation=m.BinaryDataEncoding_1.B64,
                    content=[base64.b64encode(spec.content).decode("ascii")]))),
        )
        xml = serialize(document, ns_map={None: "urn:hl7-org:v3",
                                          "xsi": "http://www.w3.org/2001/XMLSchema-instance"})
        return N1Result(document, xml, tuple(findings), format_code)
