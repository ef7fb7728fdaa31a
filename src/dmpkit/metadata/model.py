"""The simplified XDS metadata model: a few typed objects a vendor fills in.

Field names follow the IHE metadata attributes (``type_code`` for ``typeCode``); where each
one lives in ebRIM is in :mod:`dmpkit.metadata.ebrim_map`. Single-valued items that may be
missing are ``None``; multi-valued ones are lists. Slots the model does not name are kept in
``extra_slots`` so that decoding then encoding a foreign message loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dmpkit.identifiers.hl7v2 import Cwe, Cx, Xcn, Xon
from dmpkit.metadata import ebrim_map as m

__all__ = [
    "Association",
    "Author",
    "CodedValue",
    "DocumentEntry",
    "Folder",
    "SubmissionSet",
    "XdsMetadata",
]


@dataclass(slots=True)
class CodedValue:
    """A code of a classification: ``nodeRepresentation``, ``codingScheme`` slot and Name.

    Attributes:
        code: the code (``nodeRepresentation``).
        scheme: the code system OID (``codingScheme`` slot).
        display: the display name (``Name/LocalizedString``).
    """

    code: str
    scheme: str
    display: str = ""


@dataclass(slots=True)
class Author:
    """One author (a person or system, its institutions, roles and specialties).

    Attributes:
        person: ``authorPerson`` (XCN); for a PS
            ``IdNat^NOM^Prénom^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS``.
        institutions: ``authorInstitution`` (XON), DMP "requis si connu".
        roles: ``authorRole`` (JDV_J47 codes as ``code^display^scheme``).
        specialties: ``authorSpecialty`` (JDV_J56/J01 codes).
        telecoms: ``authorTelecommunication`` (XTN strings).
    """

    person: Xcn | None = None
    institutions: list[Xon] = field(default_factory=list)
    roles: list[Cwe] = field(default_factory=list)
    specialties: list[Cwe] = field(default_factory=list)
    telecoms: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DocumentEntry:
    """A document's metadata (fiche), an ``rim:ExtrinsicObject``. See REFERENCE §3.2."""

    entry_uuid: str = "Document01"
    unique_id: str | None = None
    patient_id: Cx | None = None
    logical_id: str | None = None
    version: str | None = None
    object_type: str = m.STABLE_DOCUMENT_ENTRY
    mime_type: str | None = None
    availability_status: str | None = None
    home_community_id: str | None = None
    title: str | None = None
    comments: str | None = None
    authors: list[Author] = field(default_factory=list)
    class_code: CodedValue | None = None
    type_code: CodedValue | None = None
    format_code: CodedValue | None = None
    healthcare_facility_type_code: CodedValue | None = None
    practice_setting_code: CodedValue | None = None
    confidentiality_codes: list[CodedValue] = field(default_factory=list)
    event_codes: list[CodedValue] = field(default_factory=list)
    creation_time: str | None = None
    service_start_time: str | None = None
    service_stop_time: str | None = None
    language_code: str | None = None
    legal_authenticator: Xcn | None = None
    source_patient_id: Cx | None = None
    source_patient_info: list[str] = field(default_factory=list)
    hash: str | None = None
    size: int | None = None
    repository_unique_id: str | None = None
    uri: str | None = None
    reference_ids: list[Cx] = field(default_factory=list)
    document_availability: str | None = None
    extra_slots: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class SubmissionSet:
    """The submission set (lot de soumission), an ``rim:RegistryPackage``. See REFERENCE §3.1."""

    entry_uuid: str = "SubmissionSet01"
    unique_id: str | None = None
    source_id: str | None = None
    patient_id: Cx | None = None
    submission_time: str | None = None
    authors: list[Author] = field(default_factory=list)
    content_type_code: CodedValue | None = None
    title: str | None = None
    comments: str | None = None
    intended_recipients: list[str] = field(default_factory=list)
    availability_status: str | None = None
    home_community_id: str | None = None
    extra_slots: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class Folder:
    """A folder (classeur), an ``rim:RegistryPackage`` classified as XDSFolder."""

    entry_uuid: str = "Folder01"
    unique_id: str | None = None
    patient_id: Cx | None = None
    title: str | None = None
    comments: str | None = None
    codes: list[CodedValue] = field(default_factory=list)
    last_update_time: str | None = None
    availability_status: str | None = None
    home_community_id: str | None = None
    extra_slots: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class Association:
    """An association between two objects (HasMember, RPLC, signs...).

    Attributes:
        association_type: the full URN (``HasMember`` alone is expanded on decoding).
        source: ``sourceObject`` id. target: ``targetObject`` id.
        submission_set_status: ``Original`` or ``Reference`` on SubmissionSet HasMember.
    """

    entry_uuid: str = "Association01"
    association_type: str = m.HAS_MEMBER
    source: str = ""
    target: str = ""
    availability_status: str | None = None
    submission_set_status: str | None = None
    previous_version: str | None = None
    original_status: str | None = None
    new_status: str | None = None
    extra_slots: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class XdsMetadata:
    """The registry objects of one message: an ITI-41/42/57 submission or an ITI-18 result.

    Attributes:
        submission_set: the submission set (None in a query result without one).
        documents: the DocumentEntries.
        folders: the Folders.
        associations: the Associations.
        object_refs: ids returned by an ObjectRef query (``returnType="ObjectRef"``).
    """

    submission_set: SubmissionSet | None = None
    documents: list[DocumentEntry] = field(default_factory=list)
    folders: list[Folder] = field(default_factory=list)
    associations: list[Association] = field(default_factory=list)
    object_refs: list[str] = field(default_factory=list)

    def object_ids(self) -> set[str]:
        """The ids of every object held."""
        ids = {d.entry_uuid for d in self.documents} | {f.entry_uuid for f in self.folders}
        ids |= {a.entry_uuid for a in self.associations}
        if self.submission_set is not None:
            ids.add(self.submission_set.entry_uuid)
        return ids

    def document(self, entry_uuid: str) -> DocumentEntry | None:
        """The DocumentEntry with this id, or None."""
        return next((d for d in self.documents if d.entry_uuid == entry_uuid), None)
