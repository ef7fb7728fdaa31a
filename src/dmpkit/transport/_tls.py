"""The client ``ssl.SSLContext``: TLS ≥ 1.2, DMP ciphers, trust anchors, ORG AUTH_CLI identity."""

from __future__ import annotations

import contextlib
import os
import ssl
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    pkcs12,
)

from dmpkit.transport._config import TransportConfig
from dmpkit.transport._errors import TransportConfigError

__all__ = ["DMP_TLS12_CIPHERS", "build_ssl_context"]

# REFERENCE §10.4 lists the ECDHE-RSA suites for the DMP; the ECDSA twins serve EC test PKIs.
# TLS 1.3 suites are managed by OpenSSL separately and are all AEAD.
DMP_TLS12_CIPHERS = ":".join(
    [
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-RSA-AES256-SHA384",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
    ]
)


def _password(variable: str | None, what: str) -> bytes | None:
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        raise TransportConfigError(
            f"the {what} password is read from environment variable {variable}, which is not set"
        )
    return value.encode("utf-8")


def _existing(path: Path, what: str) -> Path:
    resolved = path.expanduser()
    if not resolved.is_file():
        raise TransportConfigError(f"{what} file {resolved} does not exist")
    return resolved


@contextlib.contextmanager
def _private_pem_file(pem: bytes) -> Iterator[str]:
    """A path readable by ``load_cert_chain`` holding ``pem``, kept off disk where possible."""
    memfd_create = getattr(os, "memfd_create", None)
    if memfd_create is not None:
        # An anonymous in-memory file: the decrypted key never touches a file system.
        descriptor = memfd_create("dmpkit-client-identity")
        try:
            os.write(descriptor, pem)
            yield f"/proc/self/fd/{descriptor}"
        finally:
            os.close(descriptor)
        return
    with tempfile.TemporaryDirectory(prefix="dmpkit-") as folder:
        path = Path(folder) / "identity.pem"
        path.touch(mode=0o600)
        path.write_bytes(pem)
        try:
            yield str(path)
        finally:
            path.unlink()


def _load_pkcs12(context: ssl.SSLContext, path: Path, password: bytes | None) -> None:
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    except ValueError as exc:
        raise TransportConfigError(
            f"cannot open PKCS#12 file {path.name}: wrong password or corrupt file ({exc})"
        ) from None
    if key is None or certificate is None:
        raise TransportConfigError(f"PKCS#12 file {path.name} lacks a private key or certificate")
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    pem += certificate.public_bytes(Encoding.PEM)
    for extra in chain or []:
        pem += extra.public_bytes(Encoding.PEM)
    with _private_pem_file(pem) as identity:
        context.load_cert_chain(identity)


def build_ssl_context(config: TransportConfig) -> ssl.SSLContext:
    """Build the client TLS context: loaded once, shared by every request of a client.

    Raises:
        TransportConfigError: a file is missing, a password variable is unset, or the key and
            certificate do not match.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(DMP_TLS12_CIPHERS)
    context.check_hostname = config.check_hostname
    context.verify_mode = ssl.CERT_REQUIRED
    try:
        if config.ca_bundle is not None:
            context.load_verify_locations(cafile=str(_existing(config.ca_bundle, "CA bundle")))
        else:
            context.load_default_certs(ssl.Purpose.SERVER_AUTH)
        if config.pkcs12 is not None:
            _load_pkcs12(
                context,
                _existing(config.pkcs12, "PKCS#12"),
                _password(config.pkcs12_password_env, "PKCS#12"),
            )
        elif config.client_cert is not None:
            key = _existing(config.client_key, "client key") if config.client_key else None
            context.load_cert_chain(
                str(_existing(config.client_cert, "client certificate")),
                str(key) if key else None,
                _password(config.key_password_env, "client key"),
            )
    except ssl.SSLError as exc:
        raise TransportConfigError(
            f"the TLS material could not be loaded ({exc.reason or exc}): check that the key "
            "matches the certificate and that files are PEM"
        ) from None
    return context

_VERSION_REFUSALS = ("PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL", "WRONG_VERSION", "NO_PROTOCOLS")


def diagnose_handshake(config: TransportConfig, host: str, port: int) -> str | None:
    """Replay the handshake capped at TLS 1.2 to explain a silent disconnect.

    Under TLS 1.3 a server checks the client certificate after the handshake and may just
    close the connection; under TLS 1.2 the same refusal is a handshake alert we can read.

    Returns:
        The TLS failure reason, or ``None`` when a TLS 1.2 handshake succeeds or cannot be tried.
    """
    import socket

    try:
        context = build_ssl_context(config)
    except TransportConfigError:
        return None
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    try:
        with socket.create_connection((host, port), timeout=config.connect_timeout) as raw, \
                context.wrap_socket(raw, server_hostname=host) as tls:
            tls.settimeout(config.connect_timeout)
            # Some servers verify the certificate lazily: one read surfaces their alert.
            tls.sendall(b"OPTIONS * HTTP/1.1\r\nHost: " + host.encode("idna") + b"\r\n\r\n")
            tls.recv(1)
    except ssl.SSLError as exc:
        reason = str(exc.reason or exc)
        # A server that speaks only TLS 1.3 refuses the replay itself: that proves nothing.
        if any(marker in reason.upper() for marker in _VERSION_REFUSALS):
            return None
        return reason
    except OSError:
        return None
    return None
