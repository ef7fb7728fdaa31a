"""The one place where XDS metadata meets ebRIM: every UUID constant and the mapping table.

Each :class:`Row` says where one metadata item of one object lives in ebRIM 3.0 (an XML
attribute, a Slot, a Classification, an ExternalIdentifier, Name, Description, VersionInfo)
and which model field holds it. The encoder, the decoder, the validator's locations and the
docs all read this table; nothing else spells a scheme UUID.

UUIDs are the standard IHE values (ITI TF-3 §4.2.5, ITI TF-2a §3.18.4.1.2.3.7); REFERENCE §3
quotes the same ones for the DMP.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

# ---- object types and classification nodes (standard IHE, ITI TF-3 §4.2.5) -------------
STABLE_DOCUMENT_ENTRY: Final = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
ON_DEMAND_DOCUMENT_ENTRY: Final = "urn:uuid:34268e47-fdf5-41a6-ba33-82133c465248"
SUBMISSION_SET_NODE: Final = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
FOLDER_NODE: Final = "urn:uuid:d9d542f3-6cc4-48b6-8870-ea235fbc94c2"
CLASSIFICATION_OBJECT_TYPE: Final = (
    "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification")
EXTERNAL_IDENTIFIER_OBJECT_TYPE: Final = (
    "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier")
ASSOCIATION_OBJECT_TYPE: Final = (
    "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association")

# ---- DocumentEntry classification and identification schemes (standard IHE) ------------
DE_AUTHOR: Final = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
DE_CLASS_CODE: Final = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
DE_CONFIDENTIALITY_CODE: Final = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
DE_EVENT_CODE: Final = "urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4"
DE_FORMAT_CODE: Final = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"
DE_HEALTHCARE_FACILITY_TYPE_CODE: Final = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1"
DE_PRACTICE_SETTING_CODE: Final = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead"
DE_TYPE_CODE: Final = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
DE_PATIENT_ID: Final = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
DE_UNIQUE_ID: Final = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"

# ---- SubmissionSet (standard IHE) --------------------------------------------------------
SS_AUTHOR: Final = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"
SS_CONTENT_TYPE_CODE: Final = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500"
SS_PATIENT_ID: Final = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
SS_SOURCE_ID: Final = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
SS_UNIQUE_ID: Final = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"

# ---- Folder (standard IHE) ---------------------------------------------------------------
FOLDER_CODE_LIST: Final = "urn:uuid:1ba97051-7806-41a8-a48b-8fce7af683c5"
FOLDER_PATIENT_ID: Final = "urn:uuid:f64ffdf0-4b97-4e06-b79f-a52b38ec2f8a"
FOLDER_UNIQUE_ID: Final = "urn:uuid:75df8f67-9973-4fbe-a900-df66cefecc5a"

# ---- association types (ebRS 3.0 and IHE ITI TF-3 §4.2.2) --------------------------------
HAS_MEMBER: Final = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
RPLC: Final = "urn:ihe:iti:2007:AssociationType:RPLC"
XFRM: Final = "urn:ihe:iti:2007:AssociationType:XFRM"
APND: Final = "urn:ihe:iti:2007:AssociationType:APND"
XFRM_RPLC: Final = "urn:ihe:iti:2007:AssociationType:XFRM_RPLC"
SIGNS: Final = "urn:ihe:iti:2007:AssociationType:signs"
IS_SNAPSHOT_OF: Final = "urn:ihe:iti:2010:AssociationType:IsSnapshotOf"
UPDATE_AVAILABILITY_STATUS: Final = "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus"
SUBMIT_ASSOCIATION: Final = "urn:ihe:iti:2010:AssociationType:SubmitAssociation"
ASSOCIATION_TYPES: Final = frozenset({HAS_MEMBER, RPLC, XFRM, APND, XFRM_RPLC, SIGNS,
                                      IS_SNAPSHOT_OF, UPDATE_AVAILABILITY_STATUS,
                                      SUBMIT_ASSOCIATION})
#: The relationship associations a document may have to an earlier one (ITI TF-3 §4.2.2.2).
RELATIONSHIP_TYPES: Final = frozenset({RPLC, XFRM, APND, XFRM_RPLC, SIGNS, IS_SNAPSHOT_OF})
# Old ebXML 2.1 style short names still seen in samples ("HasMember").
_SHORT_ASSOCIATION_TYPES: Final = {"HasMember": HAS_MEMBER}

# ---- availability statuses (ebRS 3.0; CI-SIS JDV_J52 adds Archived and Deleted) ----------
APPROVED: Final = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
DEPRECATED: Final = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
SUBMITTED: Final = "urn:oasis:names:tc:ebxml-regrep:StatusType:Submitted"
ARCHIVED: Final = "urn:asip:ci-sis:2010:StatusType:Archived"
DELETED: Final = "urn:asip:ci-sis:2010:StatusType:Deleted"

# ---- registry response status (ebRS 3.0) -------------------------------------------------
RESPONSE_SUCCESS: Final = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
RESPONSE_FAILURE: Final = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"
RESPONSE_PARTIAL: Final = "urn:ihe:iti:2007:ResponseStatusType:PartialSuccess"


def full_association_type(value: str) -> str:
    """The URN of an association type, expanding the ebXML 2.1 short name ``HasMember``."""
    return _SHORT_ASSOCIATION_TYPES.get(value, value)


class Kind(StrEnum):
    """Where in ebRIM an item is carried."""

    ATTRIBUTE = "attribute"
    SLOT = "slot"
    CLASSIFICATION = "classification"
    EXTERNAL_IDENTIFIER = "externalIdentifier"
    NAME = "name"
    DESCRIPTION = "description"
    VERSION = "version"
    AUTHOR = "author"


class Codec(StrEnum):
    """How the text of an item becomes a model value."""

    TEXT = "text"
    INT = "int"
    CX = "cx"
    XCN = "xcn"
    XON = "xon"
    CWE = "cwe"
    CODED = "coded"


@dataclass(frozen=True, slots=True)
class Row:
    """One metadata item of one object and where ebRIM holds it.

    Attributes:
        carrier: ``DocumentEntry``, ``SubmissionSet``, ``Folder``, ``Association`` or ``Author``.
        item: the IHE metadata attribute name (``typeCode``, ``authorPerson``...).
        field: the model attribute holding it.
        kind: the ebRIM construct.
        key: the Slot name, scheme UUID or XML attribute name.
        multiple: several values allowed in the model (a list).
        codec: how the text is typed.
        ebrim_name: the Name written on an ExternalIdentifier (``XDSDocumentEntry.uniqueId``).
    """

    carrier: str
    item: str
    field: str
    kind: Kind
    key: str
    multiple: bool = False
    codec: Codec = Codec.TEXT
    ebrim_name: str = ""


_A, _S, _C, _E = Kind.ATTRIBUTE, Kind.SLOT, Kind.CLASSIFICATION, Kind.EXTERNAL_IDENTIFIER

#: Every mapped item; one row per (carrier, item). Order is the order the encoder writes.
ROWS: Final[tuple[Row, ...]] = (
    # DocumentEntry (ExtrinsicObject) — REFERENCE §3.2
    Row("DocumentEntry", "entryUUID", "entry_uuid", _A, "id"),
    Row("DocumentEntry", "logicalID", "logical_id", _A, "lid"),
    Row("DocumentEntry", "mimeType", "mime_type", _A, "mimeType"),
    Row("DocumentEntry", "objectType", "object_type", _A, "objectType"),
    Row("DocumentEntry", "availabilityStatus", "availability_status", _A, "status"),
    Row("DocumentEntry", "homeCommunityId", "home_community_id", _A, "home"),
    Row("DocumentEntry", "creationTime", "creation_time", _S, "creationTime"),
    Row("DocumentEntry", "hash", "hash", _S, "hash"),
    Row("DocumentEntry", "languageCode", "language_code", _S, "languageCode"),
    Row("DocumentEntry", "legalAuthenticator", "legal_authenticator", _S, "legalAuthenticator",
        codec=Codec.XCN),
    Row("DocumentEntry", "repositoryUniqueId", "repository_unique_id", _S, "repositoryUniqueId"),
    Row("DocumentEntry", "serviceStartTime", "service_start_time", _S, "serviceStartTime"),
    Row("DocumentEntry", "serviceStopTime", "service_stop_time", _S, "serviceStopTime"),
    Row("DocumentEntry", "size", "size", _S, "size", codec=Codec.INT),
    Row("DocumentEntry", "sourcePatientId", "source_patient_id", _S, "sourcePatientId",
        codec=Codec.CX),
    Row("DocumentEntry", "sourcePatientInfo", "source_patient_info", _S, "sourcePatientInfo",
        multiple=True),
    Row("DocumentEntry", "URI", "uri", _S, "URI"),
    Row("DocumentEntry", "referenceIdList", "reference_ids", _S,
        "urn:ihe:iti:xds:2013:referenceIdList", multiple=True, codec=Codec.CX),
    Row("DocumentEntry", "documentAvailability", "document_availability", _S,
        "urn:ihe:iti:2010:DocumentAvailability"),
    Row("DocumentEntry", "title", "title", Kind.NAME, "Name"),
    Row("DocumentEntry", "comments", "comments", Kind.DESCRIPTION, "Description"),
    Row("DocumentEntry", "version", "version", Kind.VERSION, "VersionInfo"),
    Row("DocumentEntry", "author", "authors", Kind.AUTHOR, DE_AUTHOR, multiple=True),
    Row("DocumentEntry", "classCode", "class_code", _C, DE_CLASS_CODE, codec=Codec.CODED),
    Row("DocumentEntry", "confidentialityCode", "confidentiality_codes", _C,
        DE_CONFIDENTIALITY_CODE, multiple=True, codec=Codec.CODED),
    Row("DocumentEntry", "eventCodeList", "event_codes", _C, DE_EVENT_CODE, multiple=True,
        codec=Codec.CODED),
    Row("DocumentEntry", "formatCode", "format_code", _C, DE_FORMAT_CODE, codec=Codec.CODED),
    Row("DocumentEntry", "healthcareFacilityTypeCode", "healthcare_facility_type_code", _C,
        DE_HEALTHCARE_FACILITY_TYPE_CODE, codec=Codec.CODED),
    Row("DocumentEntry", "practiceSettingCode", "practice_setting_code", _C,
        DE_PRACTICE_SETTING_CODE, codec=Codec.CODED),
    Row("DocumentEntry", "typeCode", "type_code", _C, DE_TYPE_CODE, codec=Codec.CODED),
    Row("DocumentEntry", "patientId", "patient_id", _E, DE_PATIENT_ID, codec=Codec.CX,
        ebrim_name="XDSDocumentEntry.patientId"),
    Row("DocumentEntry", "uniqueId", "unique_id", _E, DE_UNIQUE_ID,
        ebrim_name="XDSDocumentEntry.uniqueId"),
    # SubmissionSet (RegistryPackage classified SUBMISSION_SET_NODE) — REFERENCE §3.1
    Row("SubmissionSet", "entryUUID", "entry_uuid", _A, "id"),
    Row("SubmissionSet", "availabilityStatus", "availability_status", _A, "status"),
    Row("SubmissionSet", "homeCommunityId", "home_community_id", _A, "home"),
    Row("SubmissionSet", "submissionTime", "submission_time", _S, "submissionTime"),
    Row("SubmissionSet", "intendedRecipient", "intended_recipients", _S, "intendedRecipient",
        multiple=True),
    Row("SubmissionSet", "title", "title", Kind.NAME, "Name"),
    Row("SubmissionSet", "comments", "comments", Kind.DESCRIPTION, "Description"),
    Row("SubmissionSet", "author", "authors", Kind.AUTHOR, SS_AUTHOR, multiple=True),
    Row("SubmissionSet", "contentTypeCode", "content_type_code", _C, SS_CONTENT_TYPE_CODE,
        codec=Codec.CODED),
    Row("SubmissionSet", "uniqueId", "unique_id", _E, SS_UNIQUE_ID,
        ebrim_name="XDSSubmissionSet.uniqueId"),
    Row("SubmissionSet", "sourceId", "source_id", _E, SS_SOURCE_ID,
        ebrim_name="XDSSubmissionSet.sourceId"),
    Row("SubmissionSet", "patientId", "patient_id", _E, SS_PATIENT_ID, codec=Codec.CX,
        ebrim_name="XDSSubmissionSet.patientId"),
    # Folder (RegistryPackage classified FOLDER_NODE)
    Row("Folder", "entryUUID", "entry_uuid", _A, "id"),
    Row("Folder", "availabilityStatus", "availability_status", _A, "status"),
    Row("Folder", "homeCommunityId", "home_community_id", _A, "home"),
    Row("Folder", "lastUpdateTime", "last_update_time", _S, "lastUpdateTime"),
    Row("Folder", "title", "title", Kind.NAME, "Name"),
    Row("Folder", "comments", "comments", Kind.DESCRIPTION, "Description"),
    Row("Folder", "codeList", "codes", _C, FOLDER_CODE_LIST, multiple=True, codec=Codec.CODED),
    Row("Folder", "uniqueId", "unique_id", _E, FOLDER_UNIQUE_ID,
        ebrim_name="XDSFolder.uniqueId"),
    Row("Folder", "patientId", "patient_id", _E, FOLDER_PATIENT_ID, codec=Codec.CX,
        ebrim_name="XDSFolder.patientId"),
    # Association
    Row("Association", "entryUUID", "entry_uuid", _A, "id"),
    Row("Association", "associationType", "association_type", _A, "associationType"),
    Row("Association", "sourceObject", "source", _A, "sourceObject"),
    Row("Association", "targetObject", "target", _A, "targetObject"),
    Row("Association", "availabilityStatus", "availability_status", _A, "status"),
    Row("Association", "SubmissionSetStatus", "submission_set_status", _S,
        "SubmissionSetStatus"),
    Row("Association", "PreviousVersion", "previous_version", _S, "PreviousVersion"),
    Row("Association", "OriginalStatus", "original_status", _S, "OriginalStatus"),
    Row("Association", "NewStatus", "new_status", _S, "NewStatus"),
    # Author (a Classification with slots, under a DocumentEntry or SubmissionSet)
    Row("Author", "authorPerson", "person", _S, "authorPerson", codec=Codec.XCN),
    Row("Author", "authorInstitution", "institutions", _S, "authorInstitution", multiple=True,
        codec=Codec.XON),
    Row("Author", "authorRole", "roles", _S, "authorRole", multiple=True, codec=Codec.CWE),
    Row("Author", "authorSpecialty", "specialties", _S, "authorSpecialty", multiple=True,
        codec=Codec.CWE),
    Row("Author", "authorTelecommunication", "telecoms", _S, "authorTelecommunication",
        multiple=True),
)


def rows_of(carrier: str) -> tuple[Row, ...]:
    """The rows of one carrier, in table order."""
    return tuple(r for r in ROWS if r.carrier == carrier)


def row(carrier: str, item: str) -> Row:
    """The row of ``carrier.item``.

    Raises:
        KeyError: the item is not mapped.
    """
    for candidate in ROWS:
        if candidate.carrier == carrier and candidate.item == item:
            return candidate
    raise KeyError(f"{carrier}.{item} is not an XDS metadata item dmpkit maps")


_ELEMENT_OF_CARRIER: Final = {
    "DocumentEntry": "rim:ExtrinsicObject",
    "SubmissionSet": "rim:RegistryPackage",
    "Folder": "rim:RegistryPackage",
    "Association": "rim:Association",
}


def location(carrier: str, object_id: str | None, item: str | None = None, *,
             index: int | None = None, author_index: int | None = None) -> str:
    """The XPath-like location of an item of one object, relative to ``rim:RegistryObjectList``.

    Args:
        carrier: the object kind.
        object_id: its ``id`` attribute (None when unknown).
        item: the metadata item, or None for the object itself.
        index: 1-based position among the values of a multi-valued item.
        author_index: 1-based position of the author (for ``Author`` items).
    """
    element = _ELEMENT_OF_CARRIER.get(carrier, "rim:*")
    base = f"{element}[@id='{object_id}']" if object_id else element
    if item is None:
        return base
    if carrier in ("DocumentEntry", "SubmissionSet") and item.startswith("author") \
            and item != "author":
        author = row(carrier, "author")
        where = f"{base}/rim:Classification[@classificationScheme='{author.key}']"
        if author_index is not None:
            where += f"[{author_index}]"
        return f"{where}/rim:Slot[@name='{item}']/rim:ValueList/rim:Value" + (
            f"[{index}]" if index is not None else "")
    try:
        found = row(carrier, item)
    except KeyError:
        return f"{base}/{item}"
    suffix = f"[{index}]" if index is not None else ""
    match found.kind:
        case Kind.ATTRIBUTE:
            return f"{base}/@{found.key}"
        case Kind.SLOT:
            return f"{base}/rim:Slot[@name='{found.key}']/rim:ValueList/rim:Value{suffix}"
        case Kind.CLASSIFICATION:
            return (f"{base}/rim:Classification[@classificationScheme='{found.key}']{suffix}"
                    "/@nodeRepresentation")
        case Kind.AUTHOR:
            return f"{base}/rim:Classification[@classificationScheme='{found.key}']{suffix}"
        case Kind.EXTERNAL_IDENTIFIER:
            return f"{base}/rim:ExternalIdentifier[@identificationScheme='{found.key}']/@value"
        case Kind.NAME:
            return f"{base}/rim:Name/rim:LocalizedString/@value"
        case Kind.DESCRIPTION:
            return f"{base}/rim:Description/rim:LocalizedString/@value"
        case Kind.VERSION:
            return f"{base}/rim:VersionInfo/@versionName"
    return base  # pragma: no cover - every Kind is handled above
