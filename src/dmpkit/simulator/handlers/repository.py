"""The repository service: TD2.1/TD2.2 feeding (ITI-41) and TD3.2 retrieval (ITI-43)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

from lxml import etree

from dmpkit import testmode
from dmpkit.catalogue import AuthMode, Transaction
from dmpkit.cda.validation import validate_cda
from dmpkit.findings import Severity
from dmpkit.identifiers.hl7v2 import Cx
from dmpkit.metadata import DocumentEntry, decode
from dmpkit.metadata import ebrim_map as m
from dmpkit.metadata.validate import validate
from dmpkit.namespaces import RIM, XDSB, XOP
from dmpkit.simulator.context import RequestContext
from dmpkit.simulator.errors import DmpRefusalError
from dmpkit.simulator.handlers.xds import (
    SUCCESS,
    consultable,
    registry_response,
    visible_documents,
)
from dmpkit.simulator.records import REPOSITORY_UNIQUE_ID, document_record, registry_object
from dmpkit.simulator.rules.status import require_dmp
from dmpkit.simulator.storage import (
    APPROVED,
    DEPRECATED,
    AssociationRecord,
    DocumentRecord,
    SubmissionSetRecord,
)
from dmpkit.xades import XadesVerificationError, verify_submission_set_signature
from dmpkit.xmlparse import parse_xml

__all__ = ["SIGNATURE_FORMAT", "provide_and_register", "retrieve_document_set", "select_variant"]

SIGNATURE_FORMAT = "http://www.w3.org/2000/09/xmldsig#"
_OBJECT_TAGS = {f"{{{RIM}}}{t}" for t in ("ExtrinsicObject", "RegistryPackage", "Association")}


def select_variant(candidates: Sequence[Transaction], auth_mode: AuthMode) -> Transaction:
    """TD2.2 for a CPE card, TD2.1 otherwise (REFERENCE §10.1)."""
    wanted = "TD2.2" if auth_mode is AuthMode.DIRECT_CPE else "TD2.1"
    return next(t for t in candidates if t.id == wanted)


def _documents(payload: etree._Element) -> dict[str, bytes]:
    documents: dict[str, bytes] = {}
    for element in payload.findall(f"{{{XDSB}}}Document"):
        identifier = element.get("id", "")
        if identifier in documents:
            raise DmpRefusalError("xds.repository_metadata", f"Document {identifier} en double")
        try:
            documents[identifier] = base64.b64decode("".join((element.text or "").split()),
                                                     validate=True)
        except (binascii.Error, ValueError):
            raise DmpRefusalError("xds.repository_metadata", f"Document {identifier} n'est pas en "
                             "base64", location=identifier) from None
    return documents


def _same_patient(ctx: RequestContext, cx: Cx | None, where: str) -> None:
    if cx is None or cx.id_number != ctx.caller.patient_ins:
        raise DmpRefusalError("xds.patient_id_mismatch",
                         f"{where} ne correspond pas au resource-id du VIHF", location=where)


def _new_id(symbolic: str) -> str:
    return symbolic if symbolic.startswith("urn:uuid:") else f"urn:uuid:{testmode.new_uuid()}"


def _check_signature(ctx: RequestContext, entries: list[DocumentEntry],
                     documents: dict[str, bytes], set_unique_id: str | None) -> None:
    signatures = [e for e in entries if e.format_code and e.format_code.code == SIGNATURE_FORMAT]
    if not signatures:
        if ctx.simulator.options.require_signature:
            raise DmpRefusalError("xds.signature_invalid",
                             "lot de soumission non signé (XAdES requis pour TD2.x)")
        return
    # XML documents are digested canonicalised (§3.6), others as raw bytes
    signed = [(e.unique_id or "", documents[e.entry_uuid],
               documents[e.entry_uuid].lstrip().startswith(b"<")) for e in entries
              if e not in signatures]
    for signature in signatures:
        try:
            verify_submission_set_signature(
                documents[signature.entry_uuid], signed, ctx.simulator.trust,
                submission_set_unique_id=set_unique_id, allow_sha1=True,
                allow_c14n_with_comments=True)
        except XadesVerificationError as exc:
            raise DmpRefusalError("xds.signature_invalid", str(exc),
                             location=signature.entry_uuid) from None


def _check_cda(entry_id: str, content: bytes) -> None:
    """Refuse a ClinicalDocument the project's CDA validator fails (EX_2.1-1071)."""
    if b"ClinicalDocument" not in content[:4096]:
        return  # not a CDA (e.g. the signature); the metadata rules judge the mimeType
    report = validate_cda(content, name=entry_id)
    if report.passed:
        return
    errors = [f for layer in report.layers for f in layer.findings
              if f.severity is Severity.ERROR]
    not_run = [f"{layer.layer}: {layer.reason}" for layer in report.layers
               if layer.status.value == "not run"]
    details = [f"{f.rule_id} {f.location}" for f in errors[:5]] or not_run
    raise DmpRefusalError("xds.document_invalid", f"{entry_id}: " + "; ".join(details),
                          location=entry_id)


def provide_and_register(ctx: RequestContext) -> etree._Element:
    """ITI-41: check everything, then store the whole submission in one transaction."""
    storage = ctx.simulator.storage
    caller = ctx.caller
    documents = _documents(ctx.payload)
    decoded = decode(ctx.payload)
    metadata = decoded.metadata
    submission = metadata.submission_set
    if submission is None:
        raise DmpRefusalError("xds.metadata", "aucun lot de soumission (SubmissionSet)")
    _same_patient(ctx, submission.patient_id, "SubmissionSet.patientId")
    for entry in metadata.documents:
        _same_patient(ctx, entry.patient_id, f"DocumentEntry[{entry.entry_uuid}].patientId")
    patient = require_dmp(storage, caller.patient_ins, absent="xds.unknown_patient",
                          closed="xds.dmp_closed")
    entry_ids = {e.entry_uuid for e in metadata.documents}
    for identifier in entry_ids - set(documents):
        raise DmpRefusalError("xds.missing_document", f"pas de Document pour {identifier}",
                         location=identifier)
    for identifier in set(documents) - entry_ids:
        raise DmpRefusalError("xds.missing_document_metadata", f"pas de fiche pour {identifier}",
                         location=identifier)
    if ctx.simulator.options.validate_metadata:
        findings = [f for f in validate(metadata, documents=documents,
                                        problems=decoded.problems)
                    if f.severity is Severity.ERROR]
        if findings:
            first, *others = findings
            raise DmpRefusalError(
                "xds.metadata", f"{first.rule_id} {first.item}: {first.allowed}",
                location=first.location,
                more=[(f.error_code, f"{f.rule_id} {f.item}: {f.allowed}", f.location)
                      for f in others])
    if caller.auth_mode in (AuthMode.INDIRECT, AuthMode.AIR):
        institutions = [i for a in submission.authors for i in a.institutions]
        if not any(caller.structure in i.format() for i in institutions):
            raise DmpRefusalError("xds.metadata",
                             "Aucun AuthorInstitution ne correspond à l'utilisateur du VIHF",
                             location="SubmissionSet.author.authorInstitution")
    _check_signature(ctx, metadata.documents, documents, submission.unique_id)
    if ctx.simulator.options.validate_cda:
        for entry in metadata.documents:
            _check_cda(entry.entry_uuid, documents[entry.entry_uuid])
    for entry in metadata.documents:
        if not entry.unique_id or storage.documents_by_unique_id(entry.unique_id):
            raise DmpRefusalError("xds.duplicate_unique_id", f"uniqueId {entry.unique_id}",
                             location=entry.entry_uuid)
    replaced: list[DocumentRecord] = []
    for association in metadata.associations:
        if m.full_association_type(association.association_type) != m.RPLC:
            continue
        target = storage.document(association.target)
        if target is None or target.ins != patient.ins or target.status != APPROVED:
            raise DmpRefusalError("xds.replace_failed",
                             f"la cible RPLC {association.target} n'est pas une version à jour "
                             "de ce DMP", location=association.entry_uuid)
        replaced.append(target)
    ids = {symbolic: _new_id(symbolic) for symbolic in
           [*(e.entry_uuid for e in metadata.documents), submission.entry_uuid,
            *(a.entry_uuid for a in metadata.associations)]}
    if any(storage.document(new) for new in ids.values() if new.startswith("urn:uuid:")):
        raise DmpRefusalError("xds.metadata", "entryUUID déjà enregistré")
    elements = {e.get("id", ""): e for e in decoded_objects(ctx.payload)}
    submission_time = ctx.now.strftime("%Y%m%d%H%M%S")
    set_id = ids[submission.entry_uuid]
    with storage.atomic():
        for record in replaced:
            storage.set_document_status(record.entry_uuid, DEPRECATED)
        for entry in metadata.documents:
            new_id = ids[entry.entry_uuid]
            record = document_record(
                entry, elements[entry.entry_uuid], entry_uuid=new_id, logical_id=new_id,
                version=1, ins=patient.ins, status=APPROVED, author=caller.professional,
                author_structure=caller.structure, submission_set=set_id,
                created_at=submission_time, repository_unique_id=REPOSITORY_UNIQUE_ID)
            storage.add_document(record, documents[entry.entry_uuid])
        storage.add_submission_set(SubmissionSetRecord(
            set_id, submission.unique_id or "", patient.ins, submission_time,
            caller.professional, submission.source_id or "",
            registry_object(elements[submission.entry_uuid], submission.entry_uuid, set_id, None,
                            None, APPROVED)))
        for association in metadata.associations:
            source = ids.get(association.source, association.source)
            target_id = ids.get(association.target, association.target)
            xml = registry_object(elements[association.entry_uuid], association.entry_uuid,
                                  ids[association.entry_uuid], None, None, APPROVED)
            storage.add_association(AssociationRecord(
                ids[association.entry_uuid], association.association_type, source, target_id,
                patient.ins, _rename_ends(xml, association.source, source, association.target,
                                          target_id)))
    ctx.outcome.detail = f"{len(metadata.documents)} document(s)"
    return registry_response(SUCCESS)


def _rename_ends(xml: bytes, old_source: str, source: str, old_target: str, target: str
                 ) -> bytes:
    element = parse_xml(xml)
    if element.get("sourceObject") == old_source:
        element.set("sourceObject", source)
    if element.get("targetObject") == old_target:
        element.set("targetObject", target)
    return etree.tostring(element)


def decoded_objects(payload: etree._Element) -> list[etree._Element]:
    """The ExtrinsicObject, RegistryPackage and Association elements of a submission."""
    return [e for e in payload.iter(*_OBJECT_TAGS)]


def retrieve_document_set(ctx: RequestContext) -> etree._Element:
    """ITI-43: the requested documents the caller may read, as MTOM parts."""
    patient = consultable(ctx)
    visible = visible_documents(ctx, patient)
    requests = ctx.payload.findall(f"{{{XDSB}}}DocumentRequest")
    if not requests:
        raise DmpRefusalError("soap.body_invalid", "aucun DocumentRequest")
    response = etree.Element(f"{{{XDSB}}}RetrieveDocumentSetResponse",
                             nsmap={"xdsb": XDSB, "xop": XOP})
    found: list[tuple[str, DocumentRecord]] = []
    errors: list[tuple[str, str, str]] = []
    for request in requests:
        unique_id = (request.findtext(f"{{{XDSB}}}DocumentUniqueId") or "").strip()
        repository = (request.findtext(f"{{{XDSB}}}RepositoryUniqueId") or "").strip()
        matches = [d for d in visible if d.unique_id == unique_id
                   and (not repository or d.repository_unique_id == repository)]
        if not matches:
            errors.append(("XDSDocumentUniqueIdError", f"uniqueId={unique_id}", unique_id))
            continue
        found.append((unique_id, matches[-1]))
    if not found:
        first = errors[0]
        raise DmpRefusalError("xds.document_unique_id", first[1], location=first[2],
                              more=errors[1:])
    status = SUCCESS if not errors else "urn:ihe:iti:2007:ResponseStatusType:PartialSuccess"
    registry = registry_response(status, errors)
    response.append(registry)
    for index, (unique_id, record) in enumerate(found, 1):
        content = ctx.simulator.storage.content(record.unique_id) or b""
        item = etree.SubElement(response, f"{{{XDSB}}}DocumentResponse")
        etree.SubElement(item, f"{{{XDSB}}}RepositoryUniqueId").text = record.repository_unique_id
        etree.SubElement(item, f"{{{XDSB}}}DocumentUniqueId").text = unique_id
        etree.SubElement(item, f"{{{XDSB}}}mimeType").text = record.mime_type
        cid = f"document{index}@dmpkit-simulator"
        etree.SubElement(etree.SubElement(item, f"{{{XDSB}}}Document"), f"{{{XOP}}}Include",
                         href=f"cid:{cid}")
        ctx.attachments[cid] = (record.mime_type, content)
    ctx.outcome.detail = f"{len(found)} document(s)"
    return response
