"""Fixtures for transport tests: a throwaway EC PKI and a real mTLS server on 127.0.0.1.

The PKI is built here with ``cryptography`` (EC P-256, fast) rather than with
``dmpkit.pki``: these tests are about TLS plumbing, not about the IGC-Santé test profile.
The server is uvicorn in a background thread, bound to an ephemeral loopback port, requiring
client certificates; its protocol class is :func:`dmpkit.transport.tls_scope_protocol` so that
the app sees the client certificate as it does in-process.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from dmpkit.transport import tls_scope_protocol

NOW = datetime.datetime.now(datetime.UTC)


@dataclass
class Identity:
    cert_pem: bytes
    key_pem: bytes
    cert_path: Path
    key_path: Path
    certificate: x509.Certificate


@dataclass
class ThrowawayPki:
    ca_path: Path
    server: Identity
    client: Identity
    foreign_ca_path: Path
    foreign_client: Identity


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "dmpkit test"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
    *,
    ca: bool = False,
    server: bool = False,
) -> x509.Certificate:
    issuer_name, issuer_key = issuer or (_name(subject), key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(hours=1))
        .not_valid_after(NOW + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
    else:
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _identity(
    folder: Path, label: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey
) -> Identity:
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / f"{label}.crt").write_bytes(cert_pem)
    (folder / f"{label}.key").write_bytes(key_pem)
    return Identity(cert_pem, key_pem, folder / f"{label}.crt", folder / f"{label}.key", cert)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> ThrowawayPki:
    folder = tmp_path_factory.mktemp("pki")
    keys = {
        label: ec.generate_private_key(ec.SECP256R1())
        for label in ("ca", "srv", "cli", "fca", "fcli")
    }
    ca = _certificate("Test AC", keys["ca"], None, ca=True)
    foreign_ca = _certificate("Foreign AC", keys["fca"], None, ca=True)
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "foreign-ca.pem").write_bytes(foreign_ca.public_bytes(serialization.Encoding.PEM))
    return ThrowawayPki(
        ca_path=folder / "ca.pem",
        server=_identity(
            folder,
            "server",
            _certificate("127.0.0.1", keys["srv"], (ca.subject, keys["ca"]), server=True),
            keys["srv"],
        ),
        client=_identity(
            folder,
            "client",
            _certificate("ORG AUTH_CLI test", keys["cli"], (ca.subject, keys["ca"])),
            keys["cli"],
        ),
        foreign_ca_path=folder / "foreign-ca.pem",
        foreign_client=_identity(
            folder,
            "foreign",
            _certificate("Foreign client", keys["fcli"], (foreign_ca.subject, keys["fca"])),
            keys["fcli"],
        ),
    )


@dataclass
class EchoApp:
    """An ASGI app that records each request and can answer 503 or stall on demand."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    fail_first: int = 0
    delay: float = 0.0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        tls = (scope.get("extensions") or {}).get("tls")
        self.requests.append(
            {
                "path": scope["path"],
                "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
                "body": body,
                "tls": tls,
            }
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        status = 503 if len(self.requests) <= self.fail_first else 200
        headers = [(b"content-type", b"application/soap+xml; charset=utf-8")]
        if status == 503:
            headers.append((b"retry-after", b"0"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@dataclass
class RunningServer:
    base_url: str
    app: EchoApp


@pytest.fixture
def echo_app() -> EchoApp:
    return EchoApp()


@pytest.fixture
def https_server(pki: ThrowawayPki, echo_app: EchoApp) -> Iterator[RunningServer]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        echo_app,
        ssl_certfile=str(pki.server.cert_path),
        ssl_keyfile=str(pki.server.key_path),
        ssl_ca_certs=str(pki.ca_path),
        ssl_cert_reqs=ssl.CERT_REQUIRED,
        http=tls_scope_protocol(),
        lifespan="off",
        log_level="critical",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        threading.Event().wait(0.01)
    assert server.started, "the loopback HTTPS server did not start"
    try:
        yield RunningServer(f"https://127.0.0.1:{port}", echo_app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
