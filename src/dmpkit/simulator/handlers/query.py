"""TD3.1 / ITI-18 Registry Stored Query on the simulator's registry.

The request is read with a thin parser of the AdhocQuery slots (ITI TF-2a §3.18.4.1.2.3.7);
the query ids come from :mod:`dmpkit.query`.
Supported: FindDocuments, FindSubmissionSets, GetDocuments, GetAssociations,
GetDocumentsAndAssociations, FindDocumentsByReferenceId, GetSubmissionSetAndContents.
"""

from __future__ import annotations

import re

from lxml import etree

from dmpkit.identifiers.hl7v2 import Cx, Hl7v2FormatError
from dmpkit.namespaces import QUERY, RIM, RS
from dmpkit.query import stored_query
from dmpkit.simulator.context import RequestContext
from dmpkit.simulator.errors import DmpRefusalError
from dmpkit.simulator.handlers.xds import SUCCESS, consultable, visible_documents
from dmpkit.simulator.storage import DocumentRecord
from dmpkit.xmlparse import parse_xml

__all__ = ["STORED_QUERIES", "SUPPORTED_QUERIES", "registry_stored_query"]

# The stored queries this registry answers (ids from dmpkit.query's single table).
SUPPORTED_QUERIES = frozenset({
    "FindDocuments", "FindSubmissionSets", "GetDocuments", "GetAssociations",
    "GetDocumentsAndAssociations", "FindDocumentsByReferenceId", "GetSubmissionSetAndContents",
})
STORED_QUERIES = {stored_query(name).query_id: name for name in sorted(SUPPORTED_QUERIES)}
_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_MAX_RESULTS = 1000  # [I] the DMP refuses too many results (ERR_DMP_TOO_MANY_RESULT, §6.3)


def _slots(query: etree._Element) -> dict[str, list[str]]:
    slots: dict[str, list[str]] = {}
    for slot in query.findall(f"{{{RIM}}}Slot"):
        values: list[str] = []
        for value in slot.findall(f"{{{RIM}}}ValueList/{{{RIM}}}Value"):
            text = (value.text or "").strip()
            quoted = _QUOTED.findall(text)
            if quoted:
                values.extend(q.replace("''", "'") for q in quoted)
            elif text:
                values.append(text.strip("()"))
        slots.setdefault(slot.get("name", ""), []).extend(values)
    return slots


def _one(slots: dict[str, list[str]], name: str, *, required: bool = True) -> str | None:
    values = slots.get(name, [])
    if not values:
        if required:
            raise DmpRefusalError("xds.stored_query_missing_param", f"paramètre {name} absent",
                             location=name)
        return None
    if len(values) > 1:
        raise DmpRefusalError("xds.stored_query_param", f"{name} n'accepte qu'une valeur",
                         location=name)
    return values[0]


def _check_patient(ctx: RequestContext, value: str | None, name: str) -> None:
    if value is None:
        return
    try:
        cx = Cx.parse(value)
    except Hl7v2FormatError:
        raise DmpRefusalError("xds.stored_query_param", f"{name} n'est pas un CX", location=name
                         ) from None
    if cx.id_number != ctx.caller.patient_ins:
        raise DmpRefusalError("xds.patient_id_mismatch",
                         f"{name} ne correspond pas au resource-id du VIHF", location=name)


def _object(xml: bytes) -> etree._Element:
    return parse_xml(xml)


def _filter_documents(documents: list[DocumentRecord], slots: dict[str, list[str]]
                      ) -> list[DocumentRecord]:
    statuses = set(slots.get("$XDSDocumentEntryStatus", []))
    if not statuses:
        raise DmpRefusalError("xds.stored_query_missing_param", "paramètre $XDSDocumentEntryStatus "
                         "absent", location="$XDSDocumentEntryStatus")
    classes = set(slots.get("$XDSDocumentEntryClassCode", []))
    types = set(slots.get("$XDSDocumentEntryTypeCode", []))
    confidentiality = set(slots.get("$XDSDocumentEntryConfidentialityCode", []))
    since = _one(slots, "$XDSDocumentEntryCreationTimeFrom", required=False)
    until = _one(slots, "$XDSDocumentEntryCreationTimeTo", required=False)
    kept = []
    for document in documents:
        if document.status not in statuses:
            continue
        if classes and not any(c.split("^")[0] == document.class_code for c in classes):
            continue
        if types and not any(t.split("^")[0] == document.type_code for t in types):
            continue
        if confidentiality and not {c.split("^")[0] for c in confidentiality} & set(
                document.confidentiality):
            continue
        if since and document.created_at < since:
            continue
        if until and document.created_at >= until:
            continue
        kept.append(document)
    return kept


def registry_stored_query(ctx: RequestContext) -> etree._Element:
    """Answer an AdhocQueryRequest with the visible objects of the VIHF's patient."""
    query = ctx.payload.find(f"{{{RIM}}}AdhocQuery")
    option = ctx.payload.find(f"{{{QUERY}}}ResponseOption")
    if query is None or option is None:
        raise DmpRefusalError("soap.body_invalid", "AdhocQuery ou ResponseOption absent")
    query_id = query.get("id", "")
    name = STORED_QUERIES.get(query_id)
    if name is None:
        raise DmpRefusalError("xds.unknown_stored_query", f"requête {query_id!r} non supportée",
                         location=query_id)
    return_type = option.get("returnType", "ObjectRef")
    slots = _slots(query)
    patient = consultable(ctx)
    visible = visible_documents(ctx, patient)
    storage = ctx.simulator.storage
    documents: list[DocumentRecord] = []
    packages: list[bytes] = []
    associations: list[bytes] = []
    visible_ids = {d.entry_uuid for d in visible}
    if name in ("FindDocuments", "FindDocumentsByReferenceId"):
        _check_patient(ctx, _one(slots, "$XDSDocumentEntryPatientId"),
                       "$XDSDocumentEntryPatientId")
        documents = _filter_documents(visible, slots)
        if name == "FindDocumentsByReferenceId":
            wanted = set(slots.get("$XDSDocumentEntryReferenceIdList", []))
            if not wanted:
                raise DmpRefusalError("xds.stored_query_missing_param",
                                 "paramètre $XDSDocumentEntryReferenceIdList absent",
                                 location="$XDSDocumentEntryReferenceIdList")
            documents = [d for d in documents if wanted & set(d.reference_ids)]
    elif name == "FindSubmissionSets":
        _check_patient(ctx, _one(slots, "$XDSSubmissionSetPatientId"),
                       "$XDSSubmissionSetPatientId")
        packages = [s.metadata_xml for s in storage.submission_sets(patient.ins)]
    elif name in ("GetDocuments", "GetDocumentsAndAssociations"):
        uuids = set(slots.get("$XDSDocumentEntryEntryUUID", []))
        unique_ids = set(slots.get("$XDSDocumentEntryUniqueId", []))
        if not uuids and not unique_ids:
            raise DmpRefusalError("xds.stored_query_missing_param",
                             "$XDSDocumentEntryEntryUUID ou $XDSDocumentEntryUniqueId requis",
                             location="$XDSDocumentEntryEntryUUID")
        documents = [d for d in visible if d.entry_uuid in uuids or d.unique_id in unique_ids]
        if name == "GetDocumentsAndAssociations":
            ids = {d.entry_uuid for d in documents}
            associations = [a.metadata_xml for a in storage.associations(patient.ins)
                            if a.source in ids or a.target in ids]
    elif name == "GetAssociations":
        uuids = set(slots.get("$uuid", []))
        if not uuids:
            raise DmpRefusalError("xds.stored_query_missing_param", "$uuid requis",
                                  location="$uuid")
        associations = [a.metadata_xml for a in storage.associations(patient.ins)
                        if (a.source in uuids or a.target in uuids)
                        and (a.target in visible_ids or a.source in visible_ids
                             or a.target not in {d.entry_uuid for d in
                                                 storage.documents(patient.ins)})]
    else:  # GetSubmissionSetAndContents
        uuid = _one(slots, "$XDSSubmissionSetEntryUUID", required=False)
        unique = _one(slots, "$XDSSubmissionSetUniqueId", required=False)
        sets = [s for s in storage.submission_sets(patient.ins)
                if s.entry_uuid == uuid or s.unique_id == unique]
        packages = [s.metadata_xml for s in sets]
        set_ids = {s.entry_uuid for s in sets}
        members = [a for a in storage.associations(patient.ins) if a.source in set_ids]
        member_ids = {a.target for a in members}
        documents = [d for d in visible if d.entry_uuid in member_ids]
        associations = [a.metadata_xml for a in members if a.target in visible_ids]
    if len(documents) + len(packages) + len(associations) > _MAX_RESULTS:
        raise DmpRefusalError("xds.stored_query_param", "trop de résultats : affinez la requête")
    response = etree.Element(f"{{{QUERY}}}AdhocQueryResponse",
                             nsmap={"query": QUERY, "rs": RS, "rim": RIM}, status=SUCCESS)
    objects = etree.SubElement(response, f"{{{RIM}}}RegistryObjectList")
    elements = []
    for document in documents:
        element = _object(document.metadata_xml)
        element.set("status", document.status)  # the column is authoritative
        elements.append(element)
    elements += [_object(xml) for xml in packages + associations]
    for element in elements:
        if return_type == "LeafClass":
            objects.append(element)
        else:
            etree.SubElement(objects, f"{{{RIM}}}ObjectRef", id=element.get("id", ""))
    ctx.outcome.detail = f"{name}: {len(documents)} document(s)"
    return response
