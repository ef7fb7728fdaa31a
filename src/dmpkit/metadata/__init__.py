"""XDS metadata: a typed model, its exact ebRIM mapping, and the DMP validation rules.

::

    >>> from dmpkit.metadata import DocumentEntry, CodedValue
    >>> entry = DocumentEntry(type_code=CodedValue("11488-4", "2.16.840.1.113883.6.1"))
    >>> entry.type_code.code
    '11488-4'
"""

from __future__ import annotations

from dmpkit.metadata.ebrim import (
    Decoded,
    DecodeProblem,
    MetadataDecodeError,
    decode,
    encode,
    find_registry_object_list,
    to_provide_and_register,
    to_submit_objects_request,
)
from dmpkit.metadata.model import (
    Association,
    Author,
    CodedValue,
    DocumentEntry,
    Folder,
    SubmissionSet,
    XdsMetadata,
)

__all__ = [
    "Association",
    "Author",
    "CodedValue",
    "DecodeProblem",
    "Decoded",
    "DocumentEntry",
    "Folder",
    "MetadataDecodeError",
    "SubmissionSet",
    "XdsMetadata",
    "decode",
    "encode",
    "find_registry_object_list",
    "to_provide_and_register",
    "to_submit_objects_request",
]
