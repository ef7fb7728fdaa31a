"""Chain a certificate to configured trust anchors.

A certificate found in a message (a VIHF ``KeyInfo``, a XAdES signature) proves nothing by
itself: it is accepted only when a chain of signatures leads from it to an anchor the caller
configured. Signature checks of a chain are cached by certificate fingerprint; validity dates
are checked on every call because they depend on the instant asked about.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes

from dmpkit.pki.errors import CertificateChainError
from dmpkit.pki.names import rfc2253_dn

__all__ = ["TrustStore", "fingerprint"]

_MAX_DEPTH = 6


def fingerprint(certificate: x509.Certificate) -> bytes:
    """The SHA-256 fingerprint of a certificate."""
    return certificate.fingerprint(hashes.SHA256())


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    if not constraints.ca:
        return False
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return bool(usage.key_cert_sign)


class TrustStore:
    """Trust anchors plus optional known intermediates, with a chain cache.

    Args:
        anchors: the CA certificates to trust (the local test root, or IGC-Santé roots).
        intermediates: CA certificates that may complete a chain without being trusted.
    """

    def __init__(
        self, anchors: Iterable[x509.Certificate], intermediates: Iterable[x509.Certificate] = ()
    ) -> None:
        self.anchors = tuple(anchors)
        if not self.anchors:
            raise ValueError("a trust store needs at least one anchor")
        self.intermediates = tuple(intermediates)
        self._anchor_prints = {fingerprint(anchor) for anchor in self.anchors}
        self._chains: dict[bytes, tuple[x509.Certificate, ...]] = {}
        self._lock = threading.Lock()

    def _candidates(self, extra: Sequence[x509.Certificate]) -> list[x509.Certificate]:
        return [*self.anchors, *self.intermediates, *extra]

    def _build(
        self, certificate: x509.Certificate, extra: Sequence[x509.Certificate]
    ) -> tuple[x509.Certificate, ...]:
        chain = [certificate]
        current = certificate
        for _ in range(_MAX_DEPTH):
            if fingerprint(current) in self._anchor_prints:
                return tuple(chain)
            if current.issuer == current.subject:
                raise CertificateChainError(
                    "untrusted_issuer",
                    f"self-signed {rfc2253_dn(current.subject)!r} is not a configured anchor",
                )
            issuers = [c for c in self._candidates(extra) if c.subject == current.issuer]
            verified = None
            for issuer in issuers:
                try:
                    current.verify_directly_issued_by(issuer)
                except (ValueError, TypeError, InvalidSignature):
                    continue
                verified = issuer
                break
            if verified is None and issuers:
                raise CertificateChainError(
                    "untrusted_issuer",
                    f"certificate {rfc2253_dn(current.subject)!r} names a known CA as issuer "
                    f"({rfc2253_dn(current.issuer)!r}) but that CA's key did not sign it "
                    "(another PKI with the same names?)",
                )
            if verified is None:
                raise CertificateChainError(
                    "untrusted_issuer",
                    f"certificate {rfc2253_dn(current.subject)!r} is not issued by a trusted CA "
                    f"(issuer {rfc2253_dn(current.issuer)!r} is not a configured anchor or "
                    "known intermediate)",
                )
            if not _is_ca(verified):
                raise CertificateChainError(
                    "not_a_ca",
                    f"{rfc2253_dn(verified.subject)!r} is not allowed to issue certificates",
                )
            chain.append(verified)
            current = verified
        raise CertificateChainError("chain_too_long", f"no anchor within {_MAX_DEPTH} certificates")

    def verify(
        self,
        certificate: x509.Certificate,
        at: datetime,
        *,
        extra: Sequence[x509.Certificate] = (),
        skew: timedelta = timedelta(0),
    ) -> tuple[x509.Certificate, ...]:
        """Check that ``certificate`` chains to an anchor and every link is valid at ``at``.

        Args:
            certificate: the end-entity certificate.
            at: the instant of the check (timezone-aware).
            extra: untrusted certificates that may serve as intermediates (e.g. from KeyInfo).
            skew: tolerance applied to validity dates.

        Returns:
            The chain, end entity first, anchor last.

        Raises:
            CertificateChainError: with ``reason`` ``untrusted_issuer``, ``not_a_ca``,
                ``expired`` or ``not_yet_valid``.
        """
        key = fingerprint(certificate)
        with self._lock:
            chain = self._chains.get(key)
        if chain is None:
            chain = self._build(certificate, extra)
            with self._lock:
                self._chains[key] = chain
        self.check_dates(chain, at, skew)
        return chain

    @staticmethod
    def check_dates(
        chain: Sequence[x509.Certificate], at: datetime, skew: timedelta = timedelta(0)
    ) -> None:
        """Check that every certificate of ``chain`` is valid at ``at`` (within ``skew``).

        Raises:
            CertificateChainError: ``expired`` or ``not_yet_valid``.
        """
        for link in chain:
            if at > link.not_valid_after_utc + skew:
                raise CertificateChainError(
                    "expired",
                    f"certificate {rfc2253_dn(link.subject)!r} expired on "
                    f"{link.not_valid_after_utc.isoformat()}",
                )
            if at < link.not_valid_before_utc - skew:
                raise CertificateChainError(
                    "not_yet_valid",
                    f"certificate {rfc2253_dn(link.subject)!r} is valid only from "
                    f"{link.not_valid_before_utc.isoformat()}",
                )
