"""Typed errors of the test PKI and of certificate handling."""

from __future__ import annotations

from dmpkit.errors import DmpkitError


class PkiError(DmpkitError):
    """Base class of certificate, key and trust errors."""


class DeterministicKeyRefusedError(PkiError):
    """A seeded (reproducible, therefore insecure) key was asked for outside test mode."""


class Pkcs12Error(PkiError):
    """A PKCS#12 file could not be read."""


class Pkcs12PasswordError(Pkcs12Error):
    """The PKCS#12 password is wrong (or the file is corrupt)."""


class PkiLayoutError(PkiError):
    """A PKI folder does not have the layout written by ``dmpkit pki init``."""


class CertificateChainError(PkiError):
    """A certificate does not chain to a configured trust anchor, or a chain element is invalid.

    Attributes:
        reason: a short machine-readable code (``untrusted_issuer``, ``expired``,
            ``not_yet_valid``, ``bad_signature``, ``not_a_ca``).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
