"""TD3.3a–d / ITI-57 metadata update: mask, visibility, delete, archive (REFERENCE §3.5, §10.3).

A confidentiality change is a new DocumentEntry version (same logicalId, new entryUUID, the
previous version Deprecated); a status change is an UpdateAvailabilityStatus association.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from dmpkit import testmode
from dmpkit.catalogue import Transaction
from dmpkit.metadata import Association, decode
from dmpkit.metadata import ebrim_map as m
from dmpkit.namespaces import RIM
from dmpkit.simulator.context import RequestContext
from dmpkit.simulator.errors import DmpRefusalError
from dmpkit.simulator.handlers.xds import SUCCESS, registry_response
from dmpkit.simulator.records import document_record
from dmpkit.simulator.rules.status import require_dmp
from dmpkit.simulator.rules.visibility import MASQUE_PS, may_change
from dmpkit.simulator.storage import (
    APPROVED,
    ARCHIVED,
    DELETED,
    DEPRECATED,
    AssociationRecord,
    DocumentRecord,
)

__all__ = ["HANDLERS", "select_variant"]

UPDATE_AVAILABILITY = "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus"
_VISIBILITY = {"INVISIBLE_PATIENT", "INVISIBLE_REPRESENTANTS_LEGAUX"}


def _status_updates(associations: Sequence[Association]) -> list[Association]:
    return [a for a in associations
            if m.full_association_type(a.association_type) == UPDATE_AVAILABILITY]


def _previous(ctx: RequestContext, entry_lid: str | None, previous: str | None
              ) -> DocumentRecord:
    versions = [d for d in ctx.simulator.storage.documents(ctx.caller.patient_ins or "")
                if d.logical_id == entry_lid]
    current = [d for d in versions if d.status != DEPRECATED]
    if not current:
        raise DmpRefusalError("xds.unresolved_reference",
                              f"aucun document de logicalId {entry_lid}",
                         location=entry_lid or "")
    if previous is not None and str(current[-1].version) != previous:
        raise DmpRefusalError("xds.metadata_version",
                         f"PreviousVersion {previous} ≠ version courante {current[-1].version}",
                         location=entry_lid or "")
    return current[-1]


def select_variant(candidates: Sequence[Transaction], ctx_payload: etree._Element,
                   ctx: RequestContext | None = None) -> Transaction:
    """TD3.3c/d from the NewStatus; TD3.3a/b from which confidentiality codes change."""
    decoded = decode(ctx_payload)
    by_id = {t.id: t for t in candidates}
    updates = _status_updates(decoded.metadata.associations)
    if updates:
        new_status = updates[0].new_status or ""
        return by_id["TD3.3c" if new_status == DELETED else "TD3.3d"]
    if not decoded.metadata.documents:
        raise DmpRefusalError("xds.metadata_update", "ni nouvelle version ni changement de statut")
    if ctx is None:
        return by_id["TD3.3a"]
    entry = decoded.metadata.documents[0]
    previous = _previous(ctx, entry.logical_id, None)
    new = {c.code for c in entry.confidentiality_codes}
    changed = new ^ set(previous.confidentiality)
    return by_id["TD3.3a" if MASQUE_PS in changed or not changed & _VISIBILITY else "TD3.3b"]


def _is_medecin_traitant(ctx: RequestContext) -> bool:
    patient = ctx.simulator.storage.patient(ctx.caller.patient_ins or "")
    return patient is not None and patient.medecin_traitant == ctx.caller.professional


def change_status(ctx: RequestContext) -> etree._Element:
    """TD3.3c delete / TD3.3d archive or unarchive: UpdateAvailabilityStatus."""
    storage = ctx.simulator.storage
    patient = require_dmp(storage, ctx.caller.patient_ins, absent="xds.unknown_patient",
                          closed="xds.dmp_closed")
    decoded = decode(ctx.payload)
    medecin_traitant = _is_medecin_traitant(ctx)
    allowed = {(APPROVED, DELETED), (ARCHIVED, DELETED), (APPROVED, ARCHIVED),
               (ARCHIVED, APPROVED)}
    changes: list[tuple[DocumentRecord, str, Association]] = []
    for association in _status_updates(decoded.metadata.associations):
        target = storage.document(association.target)
        if target is None:
            matches = [d for d in storage.documents(patient.ins)
                       if d.logical_id == association.target and d.status != DEPRECATED]
            target = matches[-1] if matches else None
        if target is None or target.ins != patient.ins:
            raise DmpRefusalError("xds.unresolved_reference", f"document {association.target} "
                             "inconnu dans ce DMP", location=association.target)
        original, new = association.original_status or "", association.new_status or ""
        if original != target.status or (original, new) not in allowed:
            raise DmpRefusalError("xds.metadata_update",
                             f"changement {original} -> {new} impossible (statut actuel "
                             f"{target.status})", location=association.entry_uuid)
        may_change(target, ctx.caller, "delete" if new == DELETED else "archive",
                   medecin_traitant=medecin_traitant)
        changes.append((target, new, association))
    with storage.atomic():
        for target, new, association in changes:
            storage.set_document_status(target.entry_uuid, new)
            storage.add_association(AssociationRecord(
                f"urn:uuid:{testmode.new_uuid()}", UPDATE_AVAILABILITY,
                association.source, target.entry_uuid, patient.ins, b"<Association/>"))
    ctx.outcome.detail = ", ".join(f"{t.unique_id} -> {n.rsplit(':', 1)[-1]}"
                                   for t, n, _ in changes)
    return registry_response(SUCCESS)


def new_version(ctx: RequestContext) -> etree._Element:
    """TD3.3a/b: a new DocumentEntry version with other confidentiality codes."""
    storage = ctx.simulator.storage
    patient = require_dmp(storage, ctx.caller.patient_ins, absent="xds.unknown_patient",
                          closed="xds.dmp_closed")
    decoded = decode(ctx.payload)
    medecin_traitant = _is_medecin_traitant(ctx)
    members = {a.target: a for a in decoded.metadata.associations
               if m.full_association_type(a.association_type) == m.HAS_MEMBER}
    elements = {e.get("id", ""): e for e in ctx.payload.iter(f"{{{RIM}}}ExtrinsicObject")}
    planned = []
    for entry in decoded.metadata.documents:
        member = members.get(entry.entry_uuid)
        previous_version = (member.previous_version if member else None)
        previous = _previous(ctx, entry.logical_id, previous_version)
        new_codes = {c.code for c in entry.confidentiality_codes}
        unmask = MASQUE_PS in previous.confidentiality and MASQUE_PS not in new_codes
        may_change(previous, ctx.caller, "visibility", medecin_traitant=medecin_traitant,
                   unmask=unmask)
        if entry.unique_id and entry.unique_id != previous.unique_id:
            raise DmpRefusalError("xds.metadata_update", "le uniqueId ne peut pas changer",
                             location=entry.entry_uuid)
        planned.append((entry, previous))
    with storage.atomic():
        for entry, previous in planned:
            new_id = f"urn:uuid:{testmode.new_uuid()}"
            entry.unique_id = previous.unique_id
            record = document_record(
                entry, elements[entry.entry_uuid], entry_uuid=new_id,
                logical_id=previous.logical_id, version=previous.version + 1, ins=patient.ins,
                status=previous.status, author=previous.author,
                author_structure=previous.author_structure,
                submission_set=previous.submission_set, created_at=previous.created_at)
            record.mime_type, record.hash, record.size = (previous.mime_type, previous.hash,
                                                          previous.size)
            record.repository_unique_id = previous.repository_unique_id
            storage.set_document_status(previous.entry_uuid, DEPRECATED)
            storage.add_document(record, None)
    ctx.outcome.detail = f"{len(planned)} nouvelle(s) version(s)"
    return registry_response(SUCCESS)


HANDLERS = {
    "TD3.3a": new_version,
    "TD3.3b": new_version,
    "TD3.3c": change_status,
    "TD3.3d": change_status,
}
