"""Build signed requests for the local SI DMP (tests, notebooks, benchmarks).

A thin client-side kit: the request bodies of the supported transactions, wrapped in a SOAP 1.2
envelope with WS-Addressing and a VIHF signed by the test PKI's ORG SIGN key. dmpkit's own
client (when present) is the real thing; this stays small on purpose.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import httpx
from lxml import etree

from dmpkit import mtom, testmode
from dmpkit.catalogue import load_catalogue
from dmpkit.identifiers.hl7v2 import Cx, Hd, Xcn, Xon
from dmpkit.metadata import (
    Association,
    Author,
    CodedValue,
    DocumentEntry,
    SubmissionSet,
    XdsMetadata,
    to_provide_and_register,
    to_submit_objects_request,
)
from dmpkit.metadata import ebrim_map as m
from dmpkit.namespaces import HL7V3, QUERY, RIM, XDSB
from dmpkit.pki import TestPki, load_certificates  # noqa: F401 - re-exported for notebooks
from dmpkit.pki.store import certificate_pem
from dmpkit.simulator.records import REPOSITORY_UNIQUE_ID
from dmpkit.soap import Addressing, ParsedEnvelope, build_envelope, parse_response, serialize
from dmpkit.vihf import InsIdentifier, VihfClaims, VihfSigner
from dmpkit.xades.sign import sign_submission_set

__all__ = [
    "SimClient",
    "adhoc_query",
    "client_cert_pem",
    "hl7_request",
    "patient_list",
    "pdq_query",
    "provide_and_register",
    "read_reply",
    "retrieve_request",
    "set_authorization",
    "status_update",
    "visibility_update",
]

TEST_OID = "1.2.250.1.213.1.4.10"
APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"


def hl7_request(interaction: str, reason: str, ins: str, *, family: str = "",
                given: str = "", birth: str = "19800101", sex: str = "F",
                structure: str = "1990000010") -> etree._Element:
    """A minimal HL7 v3 request of the patients service carrying ``reason`` (TEST_EXST...)."""
    def h(local: str) -> str:
        return f"{{{HL7V3}}}{local}"

    message = etree.Element(h(interaction), nsmap={None: HL7V3}, ITSVersion="XML_1.0")  # type: ignore[dict-item]
    etree.SubElement(message, h("id"), root=str(testmode.new_uuid()))
    etree.SubElement(message, h("creationTime"), value=testmode.now().strftime("%Y%m%d%H%M%S"))
    etree.SubElement(message, h("interactionId"), root="2.16.840.1.113883.1.6",
                     extension=interaction)
    etree.SubElement(message, h("processingCode"), code="P")
    etree.SubElement(message, h("processingModeCode"), code="T")
    etree.SubElement(message, h("acceptAckCode"), code="AL")
    for tag, root in (("receiver", "1.2.250.1.213.4.1.1.1"), ("sender", "1.2.250.1.999.2")):
        device = etree.SubElement(etree.SubElement(message, h(tag), typeCode="RCV"
                                                   if tag == "receiver" else "SND"),
                                  h("device"), classCode="DEV", determinerCode="INSTANCE")
        etree.SubElement(device, h("id"), root=root)
    act = etree.SubElement(message, h("controlActProcess"), classCode="CACT", moodCode="EVN")
    etree.SubElement(act, h("reasonCode"), code=reason, codeSystem="1.2.250.1.213.1.1.4.11")
    if reason == "TEST_EXST" or reason == "CNSLT_DATA":
        query = etree.SubElement(act, h("queryByParameter"))
        etree.SubElement(query, h("queryId"), root="1.2.250.1.999.3",
                         extension=str(testmode.new_uuid()))
        etree.SubElement(query, h("statusCode"), code="new")
        parameters = etree.SubElement(query, h("parameterList"))
        identifier = etree.SubElement(parameters, h("patientIdentifier"))
        etree.SubElement(identifier, h("value"), root=TEST_OID, extension=ins)
        etree.SubElement(identifier, h("semanticsText")).text = "Patient.Id"
        return message
    event = etree.SubElement(etree.SubElement(act, h("subject"), typeCode="SUBJ"),
                             h("registrationRequest"), classCode="REG", moodCode="RQO")
    etree.SubElement(event, h("statusCode"), code="active")
    patient = etree.SubElement(etree.SubElement(event, h("subject1"), typeCode="SBJ"),
                               h("patient"), classCode="PAT")
    etree.SubElement(patient, h("id"), root=TEST_OID, extension=ins)
    etree.SubElement(patient, h("statusCode"), code="active")
    person = etree.SubElement(patient, h("patientPerson"), classCode="PSN",
                              determinerCode="INSTANCE")
    name = etree.SubElement(person, h("name"))
    etree.SubElement(name, h("family")).text = family
    etree.SubElement(name, h("given")).text = given
    etree.SubElement(person, h("administrativeGenderCode"), code=sex)
    etree.SubElement(person, h("birthTime"), value=birth)
    organization = etree.SubElement(patient, h("providerOrganization"), classCode="ORG",
                                    determinerCode="INSTANCE")
    etree.SubElement(organization, h("id"), root="1.2.250.1.71.4.2.2", extension=structure)
    etree.SubElement(organization, h("contactParty"), classCode="CON")
    return message


def set_authorization(action: str, role_type: str | None = None) -> etree._Element:
    """The TD0.3 body (AJOUT / SUPPRESSION, optional roleType)."""
    ns = "urn:si-dmp-habilitations"
    body = etree.Element(f"{{{ns}}}setAuthorization", nsmap={None: ns})  # type: ignore[dict-item]
    etree.SubElement(body, f"{{{ns}}}action").text = action
    if role_type:
        etree.SubElement(body, f"{{{ns}}}roleType").text = role_type
    return body


def patient_list(start: str, date_type: str = "LASTAUTORIZATION") -> etree._Element:
    """The TD0.4 body (``startDate`` AAAAMMJJhhmmss, ``dateType``)."""
    ns = "urn:si-dmp-patients"
    body = etree.Element(f"{{{ns}}}patientList", nsmap={None: ns})  # type: ignore[dict-item]
    etree.SubElement(body, f"{{{ns}}}startDate").text = start
    etree.SubElement(body, f"{{{ns}}}dateType").text = date_type
    return body


def pdq_query(family: str, birth: str | None = None) -> etree._Element:
    """A TD0.5 PRPA_IN201305UV02 (patient search on name and birth date)."""
    def h(local: str) -> str:
        return f"{{{HL7V3}}}{local}"

    message = hl7_request("PRPA_IN201305UV02", "", "")
    act = message.find(h("controlActProcess"))
    assert act is not None
    for child in list(act):
        act.remove(child)
    etree.SubElement(act, h("code"), code="PRPA_TE201305UV02", codeSystem="2.16.840.1.113883.1.6")
    query = etree.SubElement(act, h("queryByParameter"))
    etree.SubElement(query, h("queryId"), root="1.2.250.1.999.3",
                     extension=str(testmode.new_uuid()))
    etree.SubElement(query, h("statusCode"), code="new")
    etree.SubElement(query, h("responseModalityCode"), code="R")
    etree.SubElement(query, h("responsePriorityCode"), code="I")
    parameters = etree.SubElement(query, h("parameterList"))
    if birth:
        birth_time = etree.SubElement(parameters, h("livingSubjectBirthTime"))
        etree.SubElement(birth_time, h("value"), value=birth)
        etree.SubElement(birth_time, h("semanticsText")).text = "LivingSubject.birthTime"
    name = etree.SubElement(parameters, h("livingSubjectName"))
    etree.SubElement(etree.SubElement(name, h("value")), h("family")).text = family
    etree.SubElement(name, h("semanticsText")).text = "LivingSubject.name"
    return message


def adhoc_query(query_id: str, slots: dict[str, Sequence[str]], *,
                return_type: str = "LeafClass") -> etree._Element:
    """An ITI-18 AdhocQueryRequest; each slot value is written as given (quote it yourself)."""
    request = etree.Element(f"{{{QUERY}}}AdhocQueryRequest", nsmap={"query": QUERY, "rim": RIM})
    etree.SubElement(request, f"{{{QUERY}}}ResponseOption", returnComposedObjects="true",
                     returnType=return_type)
    query = etree.SubElement(request, f"{{{RIM}}}AdhocQuery", id=query_id)
    for name, values in slots.items():
        slot = etree.SubElement(query, f"{{{RIM}}}Slot", name=name)
        value_list = etree.SubElement(slot, f"{{{RIM}}}ValueList")
        for value in values:
            etree.SubElement(value_list, f"{{{RIM}}}Value").text = value
    return request


def retrieve_request(unique_ids: Sequence[str], repository: str = REPOSITORY_UNIQUE_ID
                     ) -> etree._Element:
    """An ITI-43 RetrieveDocumentSetRequest."""
    request = etree.Element(f"{{{XDSB}}}RetrieveDocumentSetRequest", nsmap={"xdsb": XDSB})
    for unique_id in unique_ids:
        item = etree.SubElement(request, f"{{{XDSB}}}DocumentRequest")
        etree.SubElement(item, f"{{{XDSB}}}RepositoryUniqueId").text = repository
        etree.SubElement(item, f"{{{XDSB}}}DocumentUniqueId").text = unique_id
    return request


def _author(professional: str, structure: str) -> Author:
    return Author(
        person=Xcn(id_number=professional, family_name="DMPKIT-TEST", given_name="Jeanne",
                   assigning_authority=Hd.iso("1.2.250.1.71.4.2.1"), name_type_code="D",
                   identifier_type_code="IDNPS"),
        institutions=[Xon(organization_name="CENTRE HOSPITALIER DMPKIT TEST",
                          assigning_authority=Hd.iso("1.2.250.1.71.4.2.2"),
                          identifier_type_code="IDNST", organization_identifier=structure)],
        roles=[], specialties=[])


def provide_and_register(pki: TestPki, ins: str, documents: Sequence[tuple[str, bytes]], *,
                         professional: str = "899900077985", replaces: str | None = None,
                         sign: bool = True, class_code: str = "10",
                         type_code: str = "11490-0", unique_prefix: str | None = None
                         ) -> etree._Element:
    """An ITI-41 body: one DocumentEntry per ``(title, bytes)`` (CDA, text/xml), XAdES-signed.

    Args:
        pki: signs the submission set (ORG SIGN).
        ins: the patient.
        documents: titles and contents (text/plain).
        professional: the author IdNat.
        replaces: an entryUUID the first document replaces (RPLC).
        sign: add the XAdES signature entry.
        class_code: classCode of the documents.
        type_code: typeCode of the documents.
        unique_prefix: OID prefix of the uniqueIds (default: a fresh one).
    """
    structure = pki.structure.identifiant_structure
    prefix = unique_prefix or f"1.2.250.1.999.9.{testmode.new_uuid().int % 10**12}"
    patient = Cx(id_number=ins, assigning_authority=Hd.iso(TEST_OID), identifier_type_code="NH")
    now = testmode.now().strftime("%Y%m%d%H%M%S")
    entries: list[DocumentEntry] = []
    contents: dict[str, bytes] = {}
    for index, (title, content) in enumerate(documents, 1):
        entry = DocumentEntry(
            entry_uuid=f"Document{index:02d}", unique_id=f"{prefix}.{index}", patient_id=patient,
            mime_type="text/xml", title=title, authors=[_author(professional, structure)],
            class_code=CodedValue(class_code, "1.2.250.1.213.1.1.4.1", "Compte rendu"),
            type_code=CodedValue(type_code, "2.16.840.1.113883.6.1", "Lettre de sortie"),
            format_code=CodedValue("urn:ihe:iti:xds-sd:text:2008", "1.3.6.1.4.1.19376.1.2.3",
                                   "Document à corps non structuré en Texte Brut"),
            healthcare_facility_type_code=CodedValue("SA01", "1.2.250.1.71.4.2.4",
                                                     "Etablissement Public de santé"),
            practice_setting_code=CodedValue("ETABLISSEMENT", "1.2.250.1.213.1.1.4.9",
                                             "Etablissement de santé"),
            confidentiality_codes=[CodedValue("N", "2.16.840.1.113883.5.25", "Normal")],
            creation_time=now, service_start_time=now, service_stop_time=now,
            legal_authenticator=_author(professional, structure).person,
            language_code="fr-FR", source_patient_id=patient,
            hash=hashlib.sha1(content, usedforsecurity=False).hexdigest(), size=len(content))
        entries.append(entry)
        contents[entry.entry_uuid] = content
    submission = SubmissionSet(
        entry_uuid="SubmissionSet01", unique_id=f"{prefix}.0", source_id="1.2.250.1.999.9",
        patient_id=patient, submission_time=now, authors=[_author(professional, structure)],
        content_type_code=CodedValue("04", "1.2.250.1.213.2.2", "Hospitalisation"),
        title="Lot dmpkit")
    associations = [Association(f"HasMember{n:02d}", m.HAS_MEMBER, submission.entry_uuid,
                                e.entry_uuid, submission_set_status="Original")
                    for n, e in enumerate(entries, 1)]
    if replaces is not None:
        associations.append(Association("Rplc01", m.RPLC, entries[0].entry_uuid, replaces))
    metadata = XdsMetadata(submission, list(entries), [], associations)
    if sign:
        signed = [(e.unique_id or "", contents[e.entry_uuid],
                   contents[e.entry_uuid].lstrip().startswith(b"<")) for e in entries]
        signature = etree.tostring(sign_submission_set(submission.unique_id or "", signed,
                                                       pki.sign.key, pki.sign.certificate))
        sig_entry = replace(
            entries[0], entry_uuid="Signature01", unique_id=f"{prefix}.99", mime_type="text/xml",
            title="Source",
            class_code=CodedValue("urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1",
                                  "URN", "Digital Signature"),
            type_code=CodedValue("E1762", "ASTM", "Full Document"),
            format_code=CodedValue("http://www.w3.org/2000/09/xmldsig#", "URN",
                                   "Default Signature Style"),
            event_codes=[CodedValue("1.2.840.10065.1.12.1.14", "1.2.840.10065.1.12", "Source")],
            language_code="art", hash=hashlib.sha1(signature, usedforsecurity=False).hexdigest(),
            size=len(signature), confidentiality_codes=list(entries[0].confidentiality_codes),
            authors=list(entries[0].authors))
        metadata.documents.append(sig_entry)
        metadata.associations += [
            Association("HasMemberSig", m.HAS_MEMBER, submission.entry_uuid, "Signature01",
                        submission_set_status="Original"),
            Association("Signs01", "urn:ihe:iti:2007:AssociationType:signs", "Signature01",
                        submission.entry_uuid)]
        contents["Signature01"] = signature
    return to_provide_and_register(metadata, contents)


def status_update(entry_uuid: str, original: str, new: str, ins: str) -> etree._Element:
    """An ITI-57 UpdateAvailabilityStatus (delete: Deleted; archive: Archived)."""
    patient = Cx(id_number=ins, assigning_authority=Hd.iso(TEST_OID), identifier_type_code="NH")
    submission = SubmissionSet(entry_uuid="SubmissionSet01", unique_id=f"1.2.250.1.999.8."
                               f"{testmode.new_uuid().int % 10**12}", source_id="1.2.250.1.999.9",
                               patient_id=patient,
                               submission_time=testmode.now().strftime("%Y%m%d%H%M%S"))
    association = Association("Update01", "urn:ihe:iti:2010:AssociationType:"
                              "UpdateAvailabilityStatus", submission.entry_uuid, entry_uuid,
                              original_status=original, new_status=new)
    return to_submit_objects_request(XdsMetadata(submission, [], [], [association]))


def visibility_update(entry_xml: bytes, logical_id: str, version: int, codes: Sequence[str],
                      ins: str) -> etree._Element:
    """An ITI-57 new DocumentEntry version (same lid) carrying ``codes`` (TRE_A07 / N)."""
    from dmpkit.metadata import decode
    from dmpkit.xmlparse import parse_xml

    objects = etree.Element(f"{{{RIM}}}RegistryObjectList", nsmap={"rim": RIM})
    objects.append(parse_xml(entry_xml))
    entry = decode(objects).metadata.documents[0]
    entry.entry_uuid = "NewVersion01"
    entry.logical_id = logical_id
    entry.version = None
    entry.confidentiality_codes = [
        CodedValue(c, "2.16.840.1.113883.5.25" if c == "N" else "1.2.250.1.213.1.1.4.13", c)
        for c in codes]
    patient = Cx(id_number=ins, assigning_authority=Hd.iso(TEST_OID), identifier_type_code="NH")
    submission = SubmissionSet(entry_uuid="SubmissionSet01", unique_id=f"1.2.250.1.999.8."
                               f"{testmode.new_uuid().int % 10**12}", source_id="1.2.250.1.999.9",
                               patient_id=patient,
                               submission_time=testmode.now().strftime("%Y%m%d%H%M%S"))
    member = Association("HasMember01", m.HAS_MEMBER, submission.entry_uuid, entry.entry_uuid,
                         submission_set_status="Original", previous_version=str(version))
    return to_submit_objects_request(XdsMetadata(submission, [entry], [], [member]))


@dataclass
class SimClient:
    """Calls the simulator (in-process or over HTTPS) with a signed VIHF.

    Attributes:
        http: an httpx client whose base URL is the server root.
        signer: signs the VIHFs.
        claims: the default claims (override per call).
    """

    http: httpx.Client
    signer: VihfSigner
    claims: VihfClaims

    @classmethod
    def for_pki(cls, pki: TestPki, http: httpx.Client) -> SimClient:
        """A client whose VIHF is signed with the PKI's ORG SIGN and names its structure."""
        claims = VihfClaims(identifiant_structure=pki.structure.identifiant_structure)
        return cls(http, VihfSigner.from_certified_key(pki.sign), claims)

    def call(self, transaction_id: str, body: etree._Element, *, ins: str | None = None,
             use_mtom: bool | None = None, **claims: object) -> httpx.Response:
        """Send ``body`` as transaction ``transaction_id`` and return the raw HTTP response."""
        transaction = load_catalogue().get(transaction_id)
        vihf_claims = replace(self.claims, **claims)  # type: ignore[arg-type]
        if ins is not None:
            vihf_claims = replace(vihf_claims, resource_id=InsIdentifier(ins, TEST_OID))
        assertion = self.signer.sign(vihf_claims, check=False)
        action = transaction.request_action or ""
        envelope = build_envelope(body, addressing=Addressing(action=action), security=[assertion])
        path = load_catalogue().service_path(transaction.service or "")
        mtom_wanted = use_mtom if use_mtom is not None else transaction.mtom_request.value == \
            "required"
        if mtom_wanted:
            message = mtom.encode_envelope(envelope, action=action)
            return self.http.post(path, content=message.body,
                                  headers={"content-type": message.content_type})
        return self.http.post(path, content=serialize(envelope), headers={
            "content-type": f'application/soap+xml; charset=UTF-8; action="{action}"'})


def read_reply(response: httpx.Response) -> ParsedEnvelope:
    """The checked envelope of an answer (plain SOAP or MTOM).

    Raises:
        SoapFaultError: the answer is a SOAP fault.
        HttpStatusError: the answer is not SOAP.
    """
    content_type = response.headers.get("content-type", "")
    body = response.content
    if mtom.is_multipart(content_type):
        decoded = mtom.decode(content_type, body)
        content_type, body = decoded.root.content_type, decoded.root_xml
    return parse_response(response.status_code, content_type, body)


def client_cert_pem(pki: TestPki) -> bytes:
    """The ORG AUTH_CLI certificate chain (leaf first) as the in-process transport wants it."""
    return certificate_pem(pki.auth_cli.certificate) + b"".join(
        certificate_pem(c) for c in pki.auth_cli.chain)


