"""Between XDS metadata (ebRIM) and storage records: what gets indexed, what is kept verbatim."""

from __future__ import annotations

import copy

from lxml import etree

from dmpkit.identifiers.hl7v2 import Cx
from dmpkit.metadata import DocumentEntry
from dmpkit.namespaces import RIM
from dmpkit.simulator.storage import DocumentRecord

__all__ = ["CONFIDENTIALITY_SCHEME", "REPOSITORY_UNIQUE_ID", "document_record", "registry_object"]

# The DMP repository's uniqueId as observed in sample code (REFERENCE §3.2, [X] S-TLSI).
REPOSITORY_UNIQUE_ID = "1.2.250.1.213.4.1.1.1.2"
CONFIDENTIALITY_SCHEME = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
_ID_ATTRIBUTES = ("classifiedObject", "registryObject")
_AFTER_VERSION_INFO = {f"{{{RIM}}}{name}" for name in
                       ("Classification", "ExternalIdentifier", "ContentVersionInfo")}


def document_record(entry: DocumentEntry, element: etree._Element, *, entry_uuid: str,
                    logical_id: str, version: int, ins: str, status: str, author: str,
                    author_structure: str, submission_set: str, created_at: str,
                    repository_unique_id: str | None = None) -> DocumentRecord:
    """The record of one DocumentEntry version, its XML rewritten to carry ``entry_uuid``.

    ``repository_unique_id`` is the repository that stores the document: when given it
    replaces any value the submitter sent, in the record and in the registry XML (ITI-42).
    """
    xml = registry_object(element, entry.entry_uuid, entry_uuid, logical_id, version, status,
                          repository_unique_id=repository_unique_id)
    return DocumentRecord(
        entry_uuid=entry_uuid,
        logical_id=logical_id,
        version=version,
        unique_id=entry.unique_id or "",
        ins=ins,
        status=status,
        class_code=entry.class_code.code if entry.class_code else "",
        type_code=entry.type_code.code if entry.type_code else "",
        confidentiality=tuple(c.code for c in entry.confidentiality_codes),
        author=author,
        author_structure=author_structure,
        submission_set=submission_set,
        title=entry.title or "",
        mime_type=entry.mime_type or "application/octet-stream",
        hash=entry.hash or "",
        size=entry.size or 0,
        repository_unique_id=repository_unique_id or entry.repository_unique_id or "",
        created_at=entry.creation_time or created_at,
        reference_ids=tuple(_cx(r) for r in entry.reference_ids),
        metadata_xml=xml,
    )


def _cx(value: Cx) -> str:
    return str(value.format())


def registry_object(element: etree._Element, old_id: str, new_id: str, logical_id: str | None,
                    version: int | None, status: str, *,
                    repository_unique_id: str | None = None) -> bytes:
    """A copy of an ExtrinsicObject, RegistryPackage or Association, renamed to ``new_id``."""
    copied = copy.deepcopy(element)
    if repository_unique_id is not None:
        _set_slot(copied, "repositoryUniqueId", repository_unique_id)
    copied.set("id", new_id)
    copied.set("status", status)
    if logical_id is not None:
        copied.set("lid", logical_id)
    for node in copied.iter():
        for attribute in _ID_ATTRIBUTES:
            if node.get(attribute) == old_id:
                node.set(attribute, new_id)
    if version is not None:
        info = copied.find(f"{{{RIM}}}VersionInfo")
        if info is None:
            info = etree.Element(f"{{{RIM}}}VersionInfo")
            # ebRIM order: Slot*, Name?, Description?, VersionInfo?, Classification*...
            later = [i for i, child in enumerate(copied) if child.tag in _AFTER_VERSION_INFO]
            copied.insert(later[0] if later else len(copied), info)
        info.set("versionName", str(version))
    return etree.tostring(copied)


def _set_slot(registry_object: etree._Element, name: str, value: str) -> None:
    """Set a one-value Slot: in place when the slot exists, else first (slots lead in ebRIM)."""
    slot = next((s for s in registry_object.findall(f"{{{RIM}}}Slot") if s.get("name") == name),
                None)
    if slot is None:
        slot = etree.Element(f"{{{RIM}}}Slot", name=name)
        registry_object.insert(0, slot)
    for child in list(slot):
        slot.remove(child)
    etree.SubElement(etree.SubElement(slot, f"{{{RIM}}}ValueList"), f"{{{RIM}}}Value").text = value
