"""Typed inputs of the N1 (structuration minimale) builder: who, what, when, for whom.

Plain frozen dataclasses so a vendor fills them from its own records; the builder turns
them into the generated ANS CDA classes. Identifier roots default to the national ones
(RPPS-based IdNat of a professional 1.2.250.1.71.4.2.1, structure IdNat 1.2.250.1.71.4.2.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dmpkit.identifiers.ins import Ins

__all__ = [
    "IDNAT_PS_ROOT",
    "IDNAT_STRUCTURE_ROOT",
    "Address",
    "Author",
    "Code",
    "Encounter",
    "HealthProfessional",
    "LegalAuthenticator",
    "Organization",
    "Patient",
    "PersonName",
    "ReplacedDocument",
    "ServiceEvent",
]

#: OID of the national identifier of a health professional (IdNat_PS, REFERENCE §2.5).
IDNAT_PS_ROOT = "1.2.250.1.71.4.2.1"
#: OID of the national identifier of a structure (IdNat_Struct).
IDNAT_STRUCTURE_ROOT = "1.2.250.1.71.4.2.2"


@dataclass(frozen=True, slots=True)
class Code:
    """A coded value: code, code system OID and display name."""

    code: str
    code_system: str
    display_name: str
    code_system_name: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address (each part optional)."""

    house_number: str | None = None
    street_name: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name as CDA parts."""

    family: str
    given: str
    prefix: str | None = None
    suffix: str | None = None


@dataclass(frozen=True, slots=True)
class Patient:
    """The patient (``recordTarget``), identified by the INS with its identity traits.

    The CI-SIS header requires every INS trait when the id is an INS: birth name, first
    given name and all given names of the birth certificate, birth date, birth place
    (INSEE COG code) and sex.

    Attributes:
        ins: the INS (matricule + authority OID).
        birth_name: the birth family name (nom de naissance, qualifier ``BR``).
        given: the first given name of the birth certificate (qualifier ``BR``).
        gender: ``F``, ``M`` or ``U`` (AdministrativeGender).
        birth_date: the date of birth.
        birth_place_cog: the INSEE COG code of the birth place (``99xxx`` abroad).
        given_names: all given names of the birth certificate (default: ``given``).
        used_name: the used family name, when it differs from the birth name.
        local_id: the local patient id (IPP) as ``(root OID, extension)``.
        address: the patient's address.
    """

    ins: Ins
    birth_name: str
    given: str
    gender: str
    birth_date: date
    birth_place_cog: str
    given_names: str | None = None
    used_name: str | None = None
    local_id: tuple[str, str] | None = None
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class Organization:
    """A health structure (custodian, author's organisation, performer's organisation)."""

    id_nat: str
    name: str
    id_root: str = IDNAT_STRUCTURE_ROOT
    address: Address | None = None
    telecom: str | None = None


@dataclass(frozen=True, slots=True)
class HealthProfessional:
    """A health professional: national id, name and profession/specialty (JDV_J01)."""

    id_nat: str
    name: PersonName
    specialty: Code
    id_root: str = IDNAT_PS_ROOT


@dataclass(frozen=True, slots=True)
class Author:
    """An author of the document, with the organisation it acted for."""

    professional: HealthProfessional
    organization: Organization
    time: datetime


@dataclass(frozen=True, slots=True)
class LegalAuthenticator:
    """The professional who authenticates the document (signatureCode ``S``)."""

    professional: HealthProfessional
    time: datetime


@dataclass(frozen=True, slots=True)
class ServiceEvent:
    """The main act documented (``documentationOf/serviceEvent``).

    Attributes:
        code: the act (e.g. a CCAM or LOINC code), or None.
        start: when the act started (XDS serviceStartTime).
        end: when it ended (XDS serviceStopTime), if known.
        performer: the professional who performed it.
        performer_organization: the performer's structure.
        practice_setting: its practice setting (JDV_J04/J62, XDS practiceSettingCode).
    """

    start: datetime
    performer: HealthProfessional
    performer_organization: Organization
    practice_setting: Code
    code: Code | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class Encounter:
    """The encounter (``componentOf/encompassingEncounter``).

    Attributes:
        start: when the encounter started.
        facility_type: the healthcare facility type (JDV_J02/J61).
        end: when it ended, if known.
        facility_id: the facility's structure id as ``(root, extension)``.
    """

    start: datetime
    facility_type: Code
    end: datetime | None = None
    facility_id: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class ReplacedDocument:
    """The document this one replaces (``relatedDocument[@typeCode=RPLC]``)."""

    document_id: str
    set_id: str | None = None
    version_number: int | None = None
