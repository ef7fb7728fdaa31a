"""Typed transport failures a vendor can act on (connect, TLS, timeout, configuration)."""

from __future__ import annotations

from dmpkit.errors import DmpkitError

__all__ = [
    "TransportConfigError",
    "TransportConnectError",
    "TransportError",
    "TransportProtocolError",
    "TransportTimeoutError",
    "TransportTlsError",
]


class TransportError(DmpkitError):
    """Bytes could not be exchanged with the SI DMP (or the local server)."""

    #: whether an idempotent request may be sent again after this failure
    retryable: bool = False


class TransportConfigError(TransportError):
    """The transport configuration is unusable (missing file, bad key, unset password variable)."""


class TransportConnectError(TransportError):
    """No connection could be opened (DNS, refused, unreachable)."""

    retryable = True


class TransportTlsError(TransportError):
    """The TLS handshake failed: untrusted server, refused client certificate, protocol version."""


class TransportTimeoutError(TransportError):
    """A connect, write, read or pool timeout expired."""

    retryable = True


class TransportProtocolError(TransportError):
    """The connection broke or the peer spoke malformed HTTP."""
