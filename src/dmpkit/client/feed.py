"""TD2.1 / TD2.2: feed documents, IHE ITI-41 Provide and Register Document Set-b (MTOM).

The submission carries the documents, their metadata, the submission set, and the XAdES
signature of the set as an extra DocumentEntry (REFERENCE §3.6) linked by a ``signs``
association. A new version of a document adds an RPLC association targeting the entryUUID of
the version replaced (REFERENCE §3.5). Metadata is validated against the DMP rules before
anything is sent.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from dmpkit import testmode
from dmpkit.catalogue import Catalogue
from dmpkit.cda.metadata import document_entry_from_cda
from dmpkit.cda.validation import ALL_LAYERS, validate_cda
from dmpkit.client._core import Call, Plan, Reply, single
from dmpkit.client.errors import DmpRegistryError, DmpRequestError, RegistryErrorDetail
from dmpkit.findings import Finding, Severity
from dmpkit.identifiers.hl7v2 import Cwe, Cx, Hd, Xcn, Xon
from dmpkit.metadata import (
    Association,
    Author,
    CodedValue,
    DocumentEntry,
    SubmissionSet,
    XdsMetadata,
    to_provide_and_register,
)
from dmpkit.metadata import ebrim_map as m
from dmpkit.metadata.builder import set_content
from dmpkit.metadata.validate import validate
from dmpkit.vihf import InsIdentifier, VihfClaims, VihfSigner
from dmpkit.xades import sign_submission_set

__all__ = [
    "FeedDocument",
    "FeedResult",
    "author_from_claims",
    "build_submission",
    "cda_errors",
    "decode_registry_response",
    "new_oid",
    "submit_documents",
]

RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
PS_IDNAT_OID = "1.2.250.1.71.4.2.1"
STRUCTURE_IDNAT_OID = "1.2.250.1.71.4.2.2"
_SPECIALTY_OID = "1.2.250.1.213.1.1.4.5"
# REFERENCE §3.6: the metadata of the signature DocumentEntry.
_SIGNATURE_CLASS = CodedValue("urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1", "URN", "Digital Signature")
_SIGNATURE_TYPE = CodedValue("E1762", "ASTM", "Full Document")
_SIGNATURE_FORMAT = CodedValue("http://www.w3.org/2000/09/xmldsig#", "URN",
                               "Default Signature Style")
_SIGNATURE_EVENT = CodedValue("1.2.840.10065.1.12.1.14", "1.2.840.10065.1.12", "Source")
_NORMAL = CodedValue("N", "2.16.840.1.113883.5.25", "Normal")
# Findings about the signature entry's own codes: IHE DSG fixes them, the DMP sets do not list them.
_SIGNATURE_ENTRY = "Signature01"


def new_oid() -> str:
    """A fresh globally unique OID under ``2.25`` (UUID-derived, seeded in test mode)."""
    return f"2.25.{testmode.new_uuid().int}"


@dataclass
class FeedDocument:
    """One document to submit.

    Attributes:
        content: the document bytes (a CDA R2 document).
        entry: its metadata; empty fields the client can derive are filled (uniqueId, patient,
            author, hash, size, language, mime type, creation time).
        replaces: the entryUUID of the version this document replaces (RPLC), if any.
    """

    content: bytes
    entry: DocumentEntry
    replaces: str | None = None

    @classmethod
    def from_cda(cls, content: bytes, *, replaces: str | None = None) -> FeedDocument:
        """A document whose metadata is derived from its CDA header (REFERENCE §3.2).

        Raises:
            DmpRequestError: the header lacks an item the DMP requires (findings listed).
        """
        derived = document_entry_from_cda(content)
        errors = [f for f in derived.findings if f.severity is Severity.ERROR]
        if errors:
            raise DmpRequestError("TD2.1", "the CDA header lacks required metadata", errors)
        return cls(content, derived.entry, replaces)


@dataclass(frozen=True, slots=True)
class FeedResult:
    """A registered submission.

    Attributes:
        submission_set_unique_id: the uniqueId of the submission set (lot de soumission).
        document_unique_ids: the uniqueIds of the documents, in submission order.
        status: the RegistryResponse status.
        warnings: registry warnings received with the success.
    """

    submission_set_unique_id: str
    document_unique_ids: tuple[str, ...]
    status: str
    warnings: tuple[RegistryErrorDetail, ...] = field(default=())


def author_from_claims(claims: VihfClaims, structure_name: str = "") -> Author:
    """The XDS author of the professional the VIHF describes (REFERENCE §3.3)."""
    family, _, given = claims.subject_id.partition(",")
    person = Xcn(id_number=claims.name_id, family_name=family.strip(),
                 given_name=given.strip(), assigning_authority=Hd.iso(PS_IDNAT_OID),
                 name_type_code="D", identifier_type_code="IDNPS")
    institution = Xon(organization_name=structure_name or claims.identifiant_structure,
                      assigning_authority=Hd.iso(STRUCTURE_IDNAT_OID),
                      identifier_type_code="IDNST",
                      organization_identifier=claims.identifiant_structure)
    specialties = []
    if len(claims.roles) > 1:
        profession, savoir_faire = claims.roles[0], claims.roles[1]
        specialties.append(Cwe(f"G15_{profession.code}/{savoir_faire.code}",
                               savoir_faire.display_name, _SPECIALTY_OID))
    return Author(person=person, institutions=[institution], specialties=specialties)


def _patient_cx(patient: InsIdentifier) -> Cx:
    return Cx(id_number=patient.matricule, assigning_authority=Hd.iso(patient.oid),
              identifier_type_code="NH")


def _complete(entry: DocumentEntry, content: bytes, index: int, patient: Cx, author: Author,
              now: str) -> DocumentEntry:
    filled = copy.deepcopy(entry)
    filled.entry_uuid = f"Document{index:02d}"
    filled.unique_id = filled.unique_id or new_oid()
    filled.patient_id = filled.patient_id or patient
    filled.source_patient_id = filled.source_patient_id or patient
    filled.authors = filled.authors or [copy.deepcopy(author)]
    filled.mime_type = filled.mime_type or "text/xml"
    filled.language_code = filled.language_code or "fr-FR"
    filled.creation_time = filled.creation_time or now
    filled.service_start_time = filled.service_start_time or filled.creation_time
    filled.confidentiality_codes = filled.confidentiality_codes or [copy.copy(_NORMAL)]
    filled.legal_authenticator = filled.legal_authenticator or author.person
    return set_content(filled, content)


def _signature_entry(first: DocumentEntry, patient: Cx, author: Author, now: str,
                     content: bytes) -> DocumentEntry:
    entry = DocumentEntry(
        entry_uuid=_SIGNATURE_ENTRY, unique_id=new_oid(), patient_id=patient,
        source_patient_id=patient, mime_type="text/xml", title="Source",
        authors=[copy.deepcopy(author)], class_code=_SIGNATURE_CLASS,
        type_code=_SIGNATURE_TYPE, format_code=_SIGNATURE_FORMAT,
        healthcare_facility_type_code=first.healthcare_facility_type_code,
        practice_setting_code=first.practice_setting_code,
        confidentiality_codes=[copy.copy(_NORMAL)], event_codes=[_SIGNATURE_EVENT],
        creation_time=now, service_start_time=now, language_code="art",
        legal_authenticator=author.person, source_patient_info=list(first.source_patient_info),
    )
    return set_content(entry, content)


def build_submission(
    documents: Sequence[FeedDocument],
    *,
    patient: InsIdentifier,
    claims: VihfClaims,
    signer: VihfSigner,
    content_type_code: CodedValue,
    source_id: str,
    structure_name: str = "",
) -> tuple[XdsMetadata, dict[str, bytes]]:
    """The metadata and document bytes of a signed ITI-41 submission.

    Raises:
        DmpRequestError: no document given.
    """
    if not documents:
        raise DmpRequestError("TD2.1", "a submission needs at least one document")
    now = testmode.now().strftime("%Y%m%d%H%M%S")
    cx = _patient_cx(patient)
    author = author_from_claims(claims, structure_name)
    entries = [_complete(d.entry, d.content, i, cx, author, now)
               for i, d in enumerate(documents, 1)]
    contents = {e.entry_uuid: d.content for e, d in zip(entries, documents, strict=True)}
    submission_set = SubmissionSet(
        entry_uuid="SubmissionSet01", unique_id=new_oid(), source_id=source_id, patient_id=cx,
        submission_time=now, authors=[copy.deepcopy(author)],
        content_type_code=content_type_code)
    signature = sign_submission_set(
        submission_set.unique_id or "", [(e.unique_id or "", contents[e.entry_uuid], True)
                                         for e in entries],
        signer.key, signer.certificate)
    signature_bytes = etree.tostring(signature, encoding="UTF-8")
    signature_entry = _signature_entry(entries[0], cx, author, now, signature_bytes)
    contents[signature_entry.entry_uuid] = signature_bytes
    members = [*entries, signature_entry]
    associations = [
        Association(f"HasMember{i:02d}", m.HAS_MEMBER, submission_set.entry_uuid,
                    member.entry_uuid, submission_set_status="Original")
        for i, member in enumerate(members, 1)
    ]
    associations.append(Association("Signs01", m.SIGNS, signature_entry.entry_uuid,
                                    submission_set.entry_uuid))
    for i, (entry, document) in enumerate(zip(entries, documents, strict=True), 1):
        if document.replaces:
            associations.append(Association(f"Rplc{i:02d}", m.RPLC, entry.entry_uuid,
                                            document.replaces))
    return XdsMetadata(submission_set, members, [], associations), contents


def _blocking(findings: Sequence[Finding]) -> list[Finding]:
    # The signature entry carries the IHE DSG codes, outside the DMP's document value sets.
    return [f for f in findings if f.severity is Severity.ERROR
            and not (_SIGNATURE_ENTRY in f.location and f.rule_id.endswith("-VS"))]


def cda_errors(content: bytes, layers: Sequence[str]) -> list[Finding]:
    """The error findings of the CDA validation layers (empty when valid)."""
    if not layers:
        return []
    report = validate_cda(content, layers=tuple(layers))
    return [f for _, f in report.findings if f.severity is Severity.ERROR]


def decode_registry_response(reply: Reply) -> tuple[str, tuple[RegistryErrorDetail, ...]]:
    """The status and warnings of an ``rs:RegistryResponse``.

    Raises:
        DmpRegistryError: the status is not Success; carries every RegistryError.
    """
    status = reply.payload.get("status", "")
    errors = tuple(
        RegistryErrorDetail(e.get("errorCode", ""), e.get("codeContext", ""),
                            e.get("location", ""), e.get("severity", ""))
        for e in reply.payload.iter(f"{{{RS}}}RegistryError"))
    if status != SUCCESS:
        raise DmpRegistryError(reply.transaction.id, status, errors)
    return status, errors


def submit_documents(
    catalogue: Catalogue,
    documents: Sequence[FeedDocument],
    *,
    patient: InsIdentifier,
    claims: VihfClaims,
    signer: VihfSigner,
    content_type_code: CodedValue,
    source_id: str,
    cpe: bool = False,
    check: bool = True,
    cda_layers: Sequence[str] = ALL_LAYERS,
) -> Plan[FeedResult]:
    """TD2.1 (or TD2.2 for a CPE card): one signed ITI-41 submission.

    Args:
        cda_layers: the CDA validation layers run on each ``text/xml`` document when
            ``check`` is on (XSD, CI-SIS header schematron, document-type schematron).

    Raises:
        DmpRequestError: a CDA or the metadata breaks a rule (every finding listed).
    """
    transaction = catalogue.get("TD2.2" if cpe else "TD2.1")
    metadata, contents = build_submission(
        documents, patient=patient, claims=claims, signer=signer,
        content_type_code=content_type_code, source_id=source_id)
    if check:
        blocking = [f for d in documents if (d.entry.mime_type or "text/xml") == "text/xml"
                    for f in cda_errors(d.content, cda_layers)]
        if blocking:
            raise DmpRequestError(transaction.id, "a CDA document is not valid", blocking)
        blocking = _blocking(validate(metadata, documents=contents))
        if blocking:
            raise DmpRequestError(transaction.id, "the submission breaks DMP metadata rules",
                                  blocking)
    body = to_provide_and_register(metadata, contents)
    set_uid = metadata.submission_set.unique_id if metadata.submission_set else ""
    unique_ids = tuple(d.unique_id or "" for d in metadata.documents[:len(documents)])

    def decode(reply: Reply) -> FeedResult:
        status, warnings = decode_registry_response(reply)
        return FeedResult(set_uid or "", unique_ids, status, warnings)

    return single(Call(transaction, body, patient), decode)

