"""Helpers to assemble a submission from the model objects a vendor fills in."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from dmpkit.metadata import ebrim_map as m
from dmpkit.metadata.model import (
    Association,
    DocumentEntry,
    Folder,
    SubmissionSet,
    XdsMetadata,
)

__all__ = ["replace", "set_content", "submission"]


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
