"""Typed errors of the submission-set signature."""

from __future__ import annotations

from dmpkit.errors import DmpkitError
from dmpkit.xmldsig import SignatureForensics

__all__ = ["XadesVerificationError"]


class XadesVerificationError(DmpkitError):
    """A submission-set signature was refused.

    Reasons: ``malformed``, ``algorithm_not_allowed``, ``digest_mismatch``,
    ``bad_signature_value``, ``duplicate_id``, ``reference_not_found``,
    ``manifest_not_signed``, ``signed_properties_not_signed``, ``no_certificate``,
    ``untrusted_certificate``, ``certificate_expired``, ``certificate_not_yet_valid``,
    ``signing_certificate_mismatch``, ``submission_set_mismatch``, ``missing_document``
    (the manifest names a document that was not provided), ``unlisted_document`` (a
    provided document is not in the manifest), ``document_digest_mismatch`` (also for an
    XML document that does not parse).
    """

    def __init__(
        self, reason: str, message: str, forensics: SignatureForensics | None = None
    ) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.detail = message
        self.forensics = forensics
