"""Typed VIHF errors: invalid claims, and verification failures with their forensics."""

from __future__ import annotations

from dataclasses import dataclass

from dmpkit.errors import DmpkitError
from dmpkit.xmldsig import SignatureForensics

__all__ = ["ClaimProblem", "VihfClaimsError", "VihfReadError", "VihfVerificationError"]


@dataclass(frozen=True, slots=True)
class ClaimProblem:
    """One problem with one VIHF attribute (named as in the token, e.g. ``Secteur_Activite``)."""

    attribute: str
    message: str

    def __str__(self) -> str:
        return f"{self.attribute}: {self.message}"


class VihfClaimsError(DmpkitError):
    """The claims break REFERENCE §2.3 rules; ``problems`` lists every one at once."""

    def __init__(self, problems: list[ClaimProblem]) -> None:
        super().__init__("invalid VIHF claims:\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


class VihfReadError(DmpkitError):
    """An assertion cannot be read as a VIHF (missing or malformed element or attribute)."""


class VihfVerificationError(DmpkitError):
    """A VIHF was refused. ``reason`` is a stable code; ``forensics`` shows what was computed.

    Reasons: ``no_assertion``, ``multiple_assertions``, ``duplicate_id``, ``missing_id``,
    ``unsigned``, ``multiple_signatures``, ``signature_misplaced``, ``reference_mismatch``,
    ``transforms_not_allowed``, ``algorithm_not_allowed``, ``digest_mismatch``,
    ``bad_signature_value``, ``no_certificate``, ``untrusted_certificate``,
    ``certificate_expired``, ``certificate_not_yet_valid``, ``DMPInvalidCertificate``
    (signing key without nonRepudiation), ``issuer_mismatch``, ``comment_in_signed_content``,
    ``not_yet_valid``, ``expired``, ``issued_in_future``, ``malformed``.
    """

    def __init__(
        self, reason: str, message: str, forensics: SignatureForensics | None = None
    ) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.detail = message
        self.forensics = forensics
