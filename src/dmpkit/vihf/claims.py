"""The VIHF claims: one typed field per attribute of REFERENCE §2.3, test defaults included."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from dmpkit import __version__
from dmpkit.pki.model import DEFAULT_STRUCTURE
from dmpkit.vihf.ins import InsIdentifier

__all__ = [
    "OID_ENSEMBLE_SAVOIR_FAIRE",
    "OID_MODE_ACCES",
    "OID_PROFESSION_SANTE",
    "OID_SECTEUR_ACTIVITE",
    "OID_SOUS_SECTION_CNOP",
    "OID_STATUT_VISIBILITE",
    "TEST_PATIENT_INS",
    "AttributeName",
    "AuthentificationMode",
    "CodedValue",
    "PurposeOfUse",
    "VihfClaims",
]

OID_PROFESSION_SANTE: Final = "1.2.250.1.71.1.2.7"  # TRE_G15-ProfessionSante
OID_ENSEMBLE_SAVOIR_FAIRE: Final = "1.2.250.1.71.4.2.5"  # TRE_R01, médecins
OID_SOUS_SECTION_CNOP: Final = "1.2.250.1.71.4.2.6"  # TRE_G05, pharmaciens
OID_SECTEUR_ACTIVITE: Final = "1.2.250.1.71.4.2.4"  # TRE_R02
OID_MODE_ACCES: Final = "1.2.250.1.213.1.1.4.248"  # as the token carries it (JDV_J38 OID)
OID_STATUT_VISIBILITE: Final = "1.2.250.1.213.1.1.4.13"  # TRE_A07 (J64)


class AttributeName(StrEnum):
    """``Attribute/@Name`` values of the DMP VIHF (case-sensitive, as in the ANS mapping)."""

    VIHF_VERSION = "VIHF_Version"
    SUBJECT_ID = "urn:oasis:names:tc:xspa:1.0:subject:subject-id"
    ROLE = "urn:oasis:names:tc:xacml:2.0:subject:role"
    SECTEUR_ACTIVITE = "Secteur_Activite"
    IDENTIFIANT_STRUCTURE = "Identifiant_Structure"
    RESOURCE_ID = "urn:oasis:names:tc:xacml:2.0:resource:resource-id"
    RESSOURCE_URN = "Ressource_URN"
    PURPOSE_OF_USE = "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse"
    AUTHENTIFICATION_MODE = "Authentification_Mode"
    CONFIDENTIALITY_CODE = "urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code"
    LPS_NOM = "LPS_Nom"
    LPS_VERSION = "LPS_Version"
    LPS_ID = "LPS_ID"
    LPS_ID_HOMOLOGATION_DMP = "LPS_ID_HOMOLOGATION_DMP"


class PurposeOfUse(StrEnum):
    """Mode d'accès (TRE_R248 / JDV_J38)."""

    NORMAL = "normal"
    BRIS_DE_GLACE = "bris_de_glace"
    CENTRE_15 = "centre_15"


PURPOSE_DISPLAY: Final = {
    PurposeOfUse.NORMAL: "Accès normal",
    PurposeOfUse.BRIS_DE_GLACE: "Accès en bris de glace",
    PurposeOfUse.CENTRE_15: "Accès par un centre de régulation médicale",
}


class AuthentificationMode(StrEnum):
    """How the professional was authenticated (REFERENCE §2.2)."""

    DIRECTE = "DIRECTE"
    INDIRECTE = "INDIRECTE"
    INDIRECTE_RENFORCEE = "INDIRECTE_RENFORCEE"


@dataclass(frozen=True, slots=True)
class CodedValue:
    """An HL7 v3 CE value (``code``, ``codeSystem``, ``displayName``, ``codeSystemName``)."""

    code: str
    code_system: str
    display_name: str = ""
    code_system_name: str = ""


# a test patient of the DMP test platform (INS-NIR test OID, REFERENCE §5)
TEST_PATIENT_INS: Final = InsIdentifier("279035121518989", "1.2.250.1.213.1.4.10")


def _default_roles() -> tuple[CodedValue, ...]:
    return (
        CodedValue("10", OID_PROFESSION_SANTE, "Médecin", "professions"),
        CodedValue("SM26", OID_ENSEMBLE_SAVOIR_FAIRE, "Qualifié en médecine générale (SM)",
                   "specialites RPPS"),
    )


@dataclass(frozen=True, slots=True)
class VihfClaims:
    """Everything a VIHF states, one field per REFERENCE §2.3 attribute.

    Defaults describe a general practitioner of the test structure in indirect
    authentication, consulting a test patient in normal access.

    Attributes:
        name_id: ``Subject/NameID``: IdNat of the professional (``8`` + RPPS), or of the person
            responsible for an automated processing.
        subject_id: ``subject-id``: "Nom, Prénom" (human) or "Logiciel, Modèle" (automate).
        roles: ``role`` occurrences: profession first (J65), then savoir-faire (mandatory for
            médecins and pharmaciens), then any role de prise en charge.
        secteur_activite: ``Secteur_Activite`` code and OID (J61), written ``code^OID``.
        identifiant_structure: ``Identifiant_Structure`` (Struct_IdNat).
        resource_id: ``resource-id``: the patient INS (None for calls not about a patient).
        ressource_urn: ``Ressource_URN``, constant ``urn:dmp``.
        purpose_of_use: ``purposeofuse`` (normal, bris_de_glace, centre_15).
        authentification_mode: ``Authentification_Mode`` (None omits it, as TLSi does for CPS).
        confidentiality_code: the J64 code of a "connexion secrète" (None when not requested).
        lps_nom: ``LPS_Nom``.
        lps_version: ``LPS_Version``.
        lps_id: ``LPS_ID`` (optional installation id).
        lps_id_homologation_dmp: ``LPS_ID_HOMOLOGATION_DMP`` (CNDA number).
        vihf_version: ``VIHF_Version`` ("3.0"; "4.0" per the ANS table).
        authn_context_class: ``AuthnContextClassRef``.
        authn_context_decl: ``AuthnContextDecl`` (``APP_BROWSER_AUTH`` in AIR mode only).
    """

    name_id: str = "899900077985"
    subject_id: str = "DMPKIT-TEST, Jeanne"
    roles: tuple[CodedValue, ...] = field(default_factory=_default_roles)
    secteur_activite: CodedValue = CodedValue("SA01", OID_SECTEUR_ACTIVITE)
    identifiant_structure: str = DEFAULT_STRUCTURE.identifiant_structure
    resource_id: InsIdentifier | None = TEST_PATIENT_INS
    ressource_urn: str = "urn:dmp"
    purpose_of_use: PurposeOfUse = PurposeOfUse.NORMAL
    authentification_mode: AuthentificationMode | None = AuthentificationMode.INDIRECTE
    confidentiality_code: CodedValue | None = None
    lps_nom: str = "dmpkit"
    lps_version: str = __version__
    lps_id: str | None = None
    lps_id_homologation_dmp: str = "DKT-000000-tmp1"
    vihf_version: str = "3.0"
    authn_context_class: str = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"
    authn_context_decl: str | None = None
