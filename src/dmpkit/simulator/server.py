"""Run the local SI DMP under uvicorn: HTTPS with mutual TLS on loopback.

uvicorn does not hand the client certificate to the application; the HTTP protocol class of
:func:`dmpkit.transport.tls_scope_protocol` publishes it through the ASGI TLS extension
(``scope["extensions"]["tls"]``), so the app sees the same identity as in-process.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dmpkit.pki.store import certificate_pem
from dmpkit.simulator import create_app, ensure_pki
from dmpkit.simulator.app import Simulator, SimulatorOptions
from dmpkit.transport import tls_scope_protocol

if TYPE_CHECKING:
    import uvicorn

__all__ = ["ServerFiles", "build_server", "server_files"]


@dataclass(frozen=True, slots=True)
class ServerFiles:
    """The PKI files the server and its clients use.

    Attributes:
        certificate: the server certificate chain (leaf, intermediate).
        key: the server key.
        client_ca: the CAs a client certificate must chain to.
        client_certificate: the ORG AUTH_CLI certificate a client presents.
        client_key: its key.
        ca: the root a client verifies the server against.
    """

    certificate: Path
    key: Path
    client_ca: Path
    client_certificate: Path
    client_key: Path
    ca: Path


def server_files(pki_dir: Path) -> ServerFiles:
    """The files of the ``dmpkit pki init`` layout, with the server chain written once."""
    pki = ensure_pki(pki_dir)
    chain = pki_dir / "server" / "localhost-chain.pem"
    if not chain.is_file():
        chain.write_bytes(certificate_pem(pki.localhost.certificate)
                          + certificate_pem(pki.intermediate.certificate))
    return ServerFiles(chain, pki_dir / "server" / "localhost.key.pem", pki_dir / "ca" /
                       "chain.pem", pki_dir / "org" / "auth_cli.pem",
                       pki_dir / "org" / "auth_cli.key.pem", pki_dir / "ca" / "root.pem")


def build_server(*, pki_dir: Path, db_path: Path | str, host: str = "127.0.0.1",
                 port: int = 8443, options: SimulatorOptions | None = None,
                 log_level: str = "warning") -> tuple[uvicorn.Server, Simulator]:
    """A configured ``uvicorn.Server`` (not started) and the simulator it serves.

    Args:
        pki_dir: the test PKI folder (created when absent).
        db_path: the SQLite database (created and seeded when absent).
        host: the interface (loopback by default).
        port: the TCP port.
        options: rule switches.
        log_level: uvicorn's log level (requests are not logged: they carry patient data).
    """
    import uvicorn  # the server extra is only needed here

    files = server_files(pki_dir)
    simulator = create_app(db_path=db_path, pki_dir=pki_dir, options=options)
    config = uvicorn.Config(
        simulator, host=host, port=port, http=tls_scope_protocol(), lifespan="on",
        ssl_certfile=str(files.certificate), ssl_keyfile=str(files.key),
        ssl_ca_certs=str(files.client_ca), ssl_cert_reqs=ssl.CERT_REQUIRED,
        log_level=log_level, access_log=False)
    return uvicorn.Server(config), simulator
