"""Authenticate a request: TLS client certificate, then the VIHF (REFERENCE §2, §9).

Order: the structure's certificate must chain to the local CA; the VIHF must be present in
``wsse:Security``, signed, trusted, inside its validity window, its Issuer must name the signing
certificate (all checked by :class:`~dmpkit.vihf.VihfVerifier`, anti-XSW included); its claims
must be a valid DMP VIHF; ``Identifiant_Structure`` must be the certificate's structure; a
patient-scoped transaction needs the patient's INS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from dmpkit import testmode
from dmpkit.catalogue import AccessMode, AuthMode, Transaction
from dmpkit.namespaces import SAML2
from dmpkit.pki import CertificateChainError, TrustStore
from dmpkit.simulator.caller import Caller
from dmpkit.simulator.errors import DmpRefusalError
from dmpkit.soap import ParsedEnvelope
from dmpkit.vihf import AuthentificationMode, VihfVerificationError, VihfVerifier, claim_problems

__all__ = ["Directory", "IdentityRules", "structure_of_certificate"]

INVISIBLE_REPRESENTANTS_LEGAUX = "INVISIBLE_REPRESENTANTS_LEGAUX"
_ASSERTION = f"{{{SAML2}}}Assertion"
# VihfVerificationError.reason -> errors.toml key
_VIHF_REASONS = {
    "no_assertion": "vihf.missing",
    "DMPInvalidCertificate": "vihf.invalid_certificate",
    "untrusted_certificate": "vihf.untrusted",
    "certificate_expired": "vihf.untrusted",
    "certificate_not_yet_valid": "vihf.untrusted",
    "no_certificate": "vihf.untrusted",
    "expired": "vihf.expired",
    "not_yet_valid": "vihf.expired",
    "issued_in_future": "vihf.expired",
    "malformed": "vihf.malformed",
    "missing_id": "vihf.malformed",
}


@dataclass(frozen=True)
class Directory:
    """What the server knows of professionals: card kind and médecin du travail, by IdNat."""

    cards: Mapping[str, str] = field(default_factory=dict)
    medecins_travail: frozenset[str] = frozenset()


def structure_of_certificate(certificate: x509.Certificate) -> str | None:
    """The Identifiant_Structure an IGC-Santé ORG certificate names (its ``OU``)."""
    units = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    return str(units[0].value) if units else None


class IdentityRules:
    """Checks the structure and the user of every request.

    Args:
        trust: the anchors the TLS client certificate and the VIHF signature must chain to.
        directory: known professionals (card kind, médecin du travail).
        check_claims: validate the VIHF claims against REFERENCE §2.3 and the value sets.
    """

    def __init__(self, trust: TrustStore, directory: Directory, *, check_claims: bool = True
                 ) -> None:
        self.trust = trust
        self.verifier = VihfVerifier(trust)
        self.directory = directory
        self.check_claims = check_claims
        self._client_certs: dict[str, str] = {}

    def structure(self, tls: Mapping[str, Any] | None) -> str:
        """The structure the TLS client certificate authenticates.

        Raises:
            DmpRefusalError: no certificate, or one that does not chain to the local CA.
        """
        chain = list((tls or {}).get("client_cert_chain") or [])
        if not chain:
            raise DmpRefusalError("transport.client_certificate_missing",
                             "aucun certificat client TLS (ORG AUTH_CLI) présenté")
        cached = self._client_certs.get(chain[0])
        if cached is not None:
            return cached
        try:
            certificates = [x509.load_pem_x509_certificate(pem.encode("ascii")) for pem in chain]
            self.trust.verify(certificates[0], testmode.now(), extra=certificates[1:])
        except (ValueError, CertificateChainError) as exc:
            raise DmpRefusalError("transport.client_certificate_untrusted",
                             f"certificat client non reconnu ({exc})") from None
        structure = structure_of_certificate(certificates[0])
        if structure is None:
            raise DmpRefusalError("transport.client_certificate_untrusted",
                             "le certificat client ne porte pas d'OU (Identifiant_Structure)")
        if len(self._client_certs) < 256:
            self._client_certs[chain[0]] = structure
        return structure

    def caller(self, envelope: ParsedEnvelope, tls: Mapping[str, Any] | None,
               transaction: Transaction) -> Caller:
        """Authenticate the request and say who is calling.

        Raises:
            DmpRefusalError: with the errors.toml key of the first rule broken.
        """
        structure = self.structure(tls)
        if envelope.security is None:
            raise DmpRefusalError("vihf.missing", "pas d'en-tête wsse:Security")
        assertions = sum(1 for _ in envelope.envelope.iter(_ASSERTION))
        if assertions != 1:
            raise DmpRefusalError("vihf.missing" if not assertions else "vihf.signature_invalid",
                             f"{assertions} saml:Assertion dans le message ; une seule attendue, "
                             "dans wsse:Security")
        try:
            # The whole envelope, as parsed: the verifier's wrapping checks see every element.
            verified = self.verifier.verify_parsed(envelope.envelope)
        except VihfVerificationError as exc:
            key = _VIHF_REASONS.get(exc.reason, "vihf.signature_invalid")
            raise DmpRefusalError(key, f"{exc.reason}: {exc.detail}") from None
        claims = verified.claims
        if self.check_claims:
            problems = claim_problems(claims)
            if problems:
                raise DmpRefusalError("vihf.malformed", "; ".join(str(p) for p in problems))
        if claims.identifiant_structure != structure:
            raise DmpRefusalError("vihf.structure_mismatch",
                             f"Identifiant_Structure {claims.identifiant_structure} ne correspond "
                             f"pas au certificat client ({structure})")
        if transaction.patient_scoped and claims.resource_id is None:
            raise DmpRefusalError("vihf.malformed", "resource-id (INS du patient) absent")
        confidentiality = claims.confidentiality_code
        return Caller(
            professional=claims.name_id,
            subject=claims.subject_id,
            structure=structure,
            profession=claims.roles[0].code if claims.roles else "",
            auth_mode=self._auth_mode(claims.authentification_mode, claims.name_id),
            access_mode=AccessMode(claims.purpose_of_use.value),
            patient_ins=claims.resource_id.matricule if claims.resource_id else None,
            patient_oid=claims.resource_id.oid if claims.resource_id else None,
            secret=confidentiality is not None
            and confidentiality.code == INVISIBLE_REPRESENTANTS_LEGAUX,
            medecin_travail=claims.name_id in self.directory.medecins_travail,
            claims=claims,
        )

    def _auth_mode(self, mode: AuthentificationMode | None, professional: str) -> AuthMode:
        if mode is AuthentificationMode.INDIRECTE:
            return AuthMode.INDIRECT
        if mode is AuthentificationMode.INDIRECTE_RENFORCEE:
            return AuthMode.AIR
        # DIRECTE, or absent as TLSi sends it for a card (REFERENCE §8.3): the card kind decides.
        card = self.directory.cards.get(professional, "CPS")
        return AuthMode.DIRECT_CPE if card == "CPE" else AuthMode.DIRECT_CPS
