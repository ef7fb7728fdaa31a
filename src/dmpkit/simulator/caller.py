"""Who is calling: the structure (TLS client certificate) and the user (verified VIHF)."""

from __future__ import annotations

from dataclasses import dataclass

from dmpkit.catalogue import AccessMode, AuthMode
from dmpkit.vihf import VihfClaims

__all__ = ["Caller"]


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated caller of one request.

    Attributes:
        professional: the VIHF NameID (IdNat of the PS, or of the person responsible).
        subject: the VIHF subject-id ("Nom, Prénom").
        structure: Identifiant_Structure (checked against the TLS certificate).
        profession: the first role code (TRE_G15 profession, or a J65 non-PS role).
        auth_mode: direct_cps, direct_cpe, indirect or air.
        access_mode: normal, bris_de_glace or centre_15.
        patient_ins: the VIHF resource-id matricule, if any.
        patient_oid: its assigning authority OID.
        secret: a connexion secrète (VIHF confidentiality-code INVISIBLE_REPRESENTANTS_LEGAUX).
        medecin_travail: the seed marks this professional as médecin du travail.
        claims: everything the VIHF stated.
    """

    professional: str
    subject: str
    structure: str
    profession: str
    auth_mode: AuthMode
    access_mode: AccessMode
    patient_ins: str | None
    patient_oid: str | None
    secret: bool
    medecin_travail: bool
    claims: VihfClaims

    @property
    def role_label(self) -> str:
        """The profession as the trace shows it."""
        return self.profession
