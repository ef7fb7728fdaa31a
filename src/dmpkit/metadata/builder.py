"""Helpers to assemble a submission from the model objects a vendor fills in."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from dmpkit.metadata import ebrim_map as m
from dmpkit.metadata.model import (
    Association,
    CodedValue,
    DocumentEntry,
    Folder,
    SubmissionSet,
    XdsMetadata,
)

__all__ = ["SIGNATURE_FORMAT", "add_signature", "replace", "set_content", "submission"]

#: formatCode of the submission-set signature entry (IHE DSG, REFERENCE §3.6).
SIGNATURE_FORMAT = CodedValue("http://www.w3.org/2000/09/xmldsig#", "URN",
                              "Default Signature Style")


def set_content(entry: DocumentEntry, content: bytes) -> DocumentEntry:
    """Fill ``hash`` (SHA-1, hex) and ``size`` from the document bytes (DMP requires both)."""
    entry.hash = hashlib.sha1(content, usedforsecurity=False).hexdigest()
    entry.size = len(content)
    return entry


def submission(submission_set: SubmissionSet, documents: Sequence[DocumentEntry],
               folders: Sequence[Folder] = ()) -> XdsMetadata:
    """A submission: the set, its documents and folders, and a HasMember for each.

    Association ids are symbolic (``HasMember01``...), as IHE allows in a submission.
    """
    associations = [
        Association(f"HasMember{n:02d}", m.HAS_MEMBER, submission_set.entry_uuid,
                    member.entry_uuid, submission_set_status="Original")
        for n, member in enumerate([*documents], 1)
    ]
    associations += [
        Association(f"HasMemberFolder{n:02d}", m.HAS_MEMBER, submission_set.entry_uuid,
                    folder.entry_uuid)
        for n, folder in enumerate(folders, 1)
    ]
    return XdsMetadata(submission_set, list(documents), list(folders), associations)


def replace(metadata: XdsMetadata, new_entry: DocumentEntry, replaced_entry_uuid: str
            ) -> Association:
    """Add an RPLC association: ``new_entry`` replaces the registered ``replaced_entry_uuid``.

    REFERENCE §3.5: the target is the entryUUID (``urn:uuid:…``) of the version replaced.
    """
    association = Association(f"Rplc{len(metadata.associations) + 1:02d}", m.RPLC,
                              new_entry.entry_uuid, replaced_entry_uuid)
    metadata.associations.append(association)
    return association


def add_signature(metadata: XdsMetadata, signature: bytes, *, unique_id: str,
                  entry_uuid: str = "Signature01") -> DocumentEntry:
    """Add the signature entry of the submission set (REFERENCE §3.6) and its associations.

    The entry takes the IHE DSG codes (classCode Digital Signature, typeCode E1762, formatCode
    xmldsig, eventCode "Source", languageCode ``art``), the patient, authors and facility codes
    of the first document, and the hash and size of ``signature``; a HasMember from the set and
    a ``signs`` association to the set are added. Producing the XAdES itself is the job of
    :mod:`dmpkit.xades`.

    Raises:
        ValueError: the metadata has no submission set or no document to take data from.
    """
    if metadata.submission_set is None or not metadata.documents:
        raise ValueError("add_signature needs a submission set and at least one document")
    lot = metadata.submission_set
    first = metadata.documents[0]
    entry = DocumentEntry(
        entry_uuid=entry_uuid, unique_id=unique_id, patient_id=first.patient_id,
        mime_type="text/xml", title="Source", authors=list(first.authors),
        class_code=CodedValue("urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1", "URN", "Digital Signature"),
        type_code=CodedValue("E1762", "ASTM", "Full Document"),
        format_code=CodedValue(SIGNATURE_FORMAT.code, SIGNATURE_FORMAT.scheme,
                               SIGNATURE_FORMAT.display),
        healthcare_facility_type_code=first.healthcare_facility_type_code,
        practice_setting_code=first.practice_setting_code,
        confidentiality_codes=[CodedValue("N", "2.16.840.1.113883.5.25", "Normal")],
        event_codes=[CodedValue("1.2.840.10065.1.12.1.14", "1.2.840.10065.1.12", "Source")],
        creation_time=first.creation_time or lot.submission_time,
        service_start_time=first.service_start_time or lot.submission_time,
        language_code="art", legal_authenticator=first.legal_authenticator,
        source_patient_id=first.source_patient_id,
        source_patient_info=list(first.source_patient_info),
    )
    set_content(entry, signature)
    metadata.documents.append(entry)
    metadata.associations += [
        Association(f"HasMember{entry_uuid}", m.HAS_MEMBER, lot.entry_uuid, entry_uuid,
                    submission_set_status="Original"),
        Association(f"Signs{entry_uuid}", m.SIGNS, entry_uuid, lot.entry_uuid),
    ]
    return entry
