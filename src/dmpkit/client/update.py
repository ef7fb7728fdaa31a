"""TD3.3a–d: document attribute changes, IHE ITI-57 Update Document Set.

Masking and visibility (TD3.3a/b) submit a new version of the DocumentEntry (same logicalId,
PreviousVersion on the HasMember association) whose confidentialityCode adds or removes a
TRE_A07 code; deletion and archiving (TD3.3c/d) change the availability status through an
UpdateAvailabilityStatus association (REFERENCE §1.3, §3.4, §3.5).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from dmpkit import testmode
from dmpkit.catalogue import Catalogue
from dmpkit.client._core import Call, Plan, Reply, single
from dmpkit.client.errors import DmpRequestError
from dmpkit.client.feed import author_from_claims, decode_registry_response, new_oid
from dmpkit.identifiers.hl7v2 import Cx, Hd
from dmpkit.metadata import (
    Association,
    CodedValue,
    DocumentEntry,
    SubmissionSet,
    XdsMetadata,
    to_submit_objects_request,
)
from dmpkit.metadata import ebrim_map as m
from dmpkit.vihf import InsIdentifier, VihfClaims

__all__ = [
    "INVISIBLE_PATIENT",
    "INVISIBLE_REPRESENTANTS_LEGAUX",
    "MASQUE_PS",
    "VISIBILITY_OID",
    "change_confidentiality",
    "change_status",
    "confidentiality_update",
    "status_update",
]

VISIBILITY_OID = "1.2.250.1.213.1.1.4.13"  # TRE_A07 StatutVisibiliteDocument
MASQUE_PS = "MASQUE_PS"
INVISIBLE_PATIENT = "INVISIBLE_PATIENT"
INVISIBLE_REPRESENTANTS_LEGAUX = "INVISIBLE_REPRESENTANTS_LEGAUX"
_DISPLAY = {
    MASQUE_PS: "Masqué aux professionnels de santé",
    INVISIBLE_PATIENT: "Non visible par le patient",
    INVISIBLE_REPRESENTANTS_LEGAUX: "Non visible par les représentants légaux",
}
_TRANSACTION_OF_CODE = {MASQUE_PS: "TD3.3a", INVISIBLE_PATIENT: "TD3.3b",
                        INVISIBLE_REPRESENTANTS_LEGAUX: "TD3.3b"}


def _submission_set(patient: InsIdentifier, claims: VihfClaims, source_id: str,
                    content_type_code: CodedValue) -> SubmissionSet:
    return SubmissionSet(
        entry_uuid="SubmissionSet01", unique_id=new_oid(), source_id=source_id,
        patient_id=Cx(id_number=patient.matricule, assigning_authority=Hd.iso(patient.oid),
                      identifier_type_code="NH"),
        submission_time=testmode.now().strftime("%Y%m%d%H%M%S"),
        authors=[author_from_claims(claims)], content_type_code=content_type_code)


def confidentiality_update(entry: DocumentEntry, *, add: Sequence[str] = (),
                           remove: Sequence[str] = (), patient: InsIdentifier,
                           claims: VihfClaims, source_id: str,
                           content_type_code: CodedValue) -> tuple[str, XdsMetadata]:
    """The ITI-57 metadata of a new DocumentEntry version with changed visibility codes.

    Args:
        entry: the current version (from a TD3.1 result: entryUUID, logicalId, version).
        add: TRE_A07 codes to add (``MASQUE_PS``, ``INVISIBLE_PATIENT``…).
        remove: TRE_A07 codes to remove.

    Returns:
        The catalogue id (TD3.3a for MASQUE_PS, TD3.3b otherwise) and the metadata.

    Raises:
        DmpRequestError: an unknown code, nothing to change, or an entry without version.
    """
    codes = [*add, *remove]
    unknown = [c for c in codes if c not in _TRANSACTION_OF_CODE]
    transaction_ids = {_TRANSACTION_OF_CODE[c] for c in codes if c in _TRANSACTION_OF_CODE}
    transaction_id = "TD3.3a" if transaction_ids == {"TD3.3a"} else "TD3.3b"
    if unknown or not codes:
        raise DmpRequestError(transaction_id, f"give TRE_A07 codes among "
                              f"{sorted(_TRANSACTION_OF_CODE)}; got {unknown or 'none'}")
    if len(transaction_ids) > 1:
        raise DmpRequestError(transaction_id, "masking (TD3.3a) and visibility (TD3.3b) are "
                              "separate transactions: change them in two calls")
    if not entry.logical_id or not entry.version:
        raise DmpRequestError(transaction_id, "the entry needs its logicalId and version "
                              "(take it from a TD3.1 LeafClass result)")
    new = copy.deepcopy(entry)
    new.entry_uuid = "Document01"
    new.availability_status = None
    kept = [c for c in new.confidentiality_codes
            if not (c.scheme == VISIBILITY_OID and c.code in remove)]
    present = {(c.code, c.scheme) for c in kept}
    kept += [CodedValue(code, VISIBILITY_OID, _DISPLAY[code]) for code in add
             if (code, VISIBILITY_OID) not in present]
    new.confidentiality_codes = kept
    submission_set = _submission_set(patient, claims, source_id, content_type_code)
    association = Association("HasMember01", m.HAS_MEMBER, submission_set.entry_uuid,
                              new.entry_uuid, submission_set_status="Original",
                              previous_version=entry.version)
    return transaction_id, XdsMetadata(submission_set, [new], [], [association])


def status_update(entry_uuid: str, *, original: str, new: str, patient: InsIdentifier,
                  claims: VihfClaims, source_id: str, content_type_code: CodedValue
                  ) -> XdsMetadata:
    """The ITI-57 metadata of an availability status change (delete, archive, unarchive)."""
    submission_set = _submission_set(patient, claims, source_id, content_type_code)
    association = Association("UpdateStatus01", m.UPDATE_AVAILABILITY_STATUS,
                              submission_set.entry_uuid, entry_uuid,
                              original_status=original, new_status=new)
    return XdsMetadata(submission_set, [], [], [association])


def _decode(reply: Reply) -> str:
    status, _ = decode_registry_response(reply)
    return status


def change_confidentiality(catalogue: Catalogue, entry: DocumentEntry, *,
                           add: Sequence[str] = (), remove: Sequence[str] = (),
                           patient: InsIdentifier, claims: VihfClaims, source_id: str,
                           content_type_code: CodedValue) -> Plan[str]:
    """TD3.3a (MASQUE_PS) or TD3.3b (INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX)."""
    transaction_id, metadata = confidentiality_update(
        entry, add=add, remove=remove, patient=patient, claims=claims, source_id=source_id,
        content_type_code=content_type_code)
    body = to_submit_objects_request(metadata)
    return single(Call(catalogue.get(transaction_id), body, patient), _decode)


def change_status(catalogue: Catalogue, transaction_id: str, entry_uuid: str, *,
                  original: str, new: str, patient: InsIdentifier, claims: VihfClaims,
                  source_id: str, content_type_code: CodedValue) -> Plan[str]:
    """TD3.3c (→ Deleted) or TD3.3d (→ Archived, or back to Approved)."""
    if not entry_uuid.startswith("urn:uuid:"):
        raise DmpRequestError(transaction_id, f"{entry_uuid!r} is not an entryUUID "
                              "(urn:uuid:…): take it from a TD3.1 result")
    metadata = status_update(entry_uuid, original=original, new=new, patient=patient,
                             claims=claims, source_id=source_id,
                             content_type_code=content_type_code)
    body = to_submit_objects_request(metadata)
    return single(Call(catalogue.get(transaction_id), body, patient), _decode)

