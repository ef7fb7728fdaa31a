"""The simulator under uvicorn over real HTTPS with mutual TLS on 127.0.0.1.

Checks that the custom HTTP protocol class publishes the client certificate through the ASGI
TLS extension: the server authenticates the structure from the very certificate presented.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest

from dmpkit.pki import TestPki
from dmpkit.simulator import Simulator
from dmpkit.simulator.server import ServerFiles, server_files
from dmpkit.simulator.testing import SimClient, hl7_request
from tests.simulator.helpers import ACTIVE, body_of, xpath


def _context(files: ServerFiles, with_client_cert: bool) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(files.ca))
    if with_client_cert:
        context.load_cert_chain(str(files.client_certificate), str(files.client_key))
    return context


def test_https_with_client_certificate_reaches_the_rules(
        https_server: tuple[str, Simulator], sim_pki_dir: Path, sim_pki: TestPki) -> None:
    base_url, simulator = https_server
    files = server_files(sim_pki_dir)
    with httpx.Client(base_url=base_url, verify=_context(files, True), timeout=30) as http:
        client = SimClient.for_pki(sim_pki, http)
        reply = client.call("TD0.2", hl7_request("PRPA_IN201307UV02", "TEST_EXST", ACTIVE),
                            ins=ACTIVE)
        assert reply.status_code == 200
        assert xpath(body_of(reply), "//hl7:queryResponseCode/@code") == ["OK"]
    trace = simulator.storage.traces(ACTIVE, limit=1)[0]
    # the structure comes from the TLS certificate's OU, read from the ASGI TLS extension
    assert trace.structure == sim_pki.structure.identifiant_structure
    assert trace.outcome == "OK"


def test_https_without_client_certificate_fails_the_handshake(
        https_server: tuple[str, Simulator], sim_pki_dir: Path) -> None:
    base_url, _ = https_server
    files = server_files(sim_pki_dir)
    with httpx.Client(base_url=base_url, verify=_context(files, False), timeout=30) as http, \
            pytest.raises((httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)):
        http.post("/si-dmp-server/v2/services/patients", content=b"<x/>")


def test_serve_command_is_registered_with_its_options() -> None:
    from click.testing import CliRunner

    from dmpkit.cli import main

    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--db", "--pki"):
        assert option in result.output


def test_a_fresh_pki_is_created_when_absent(tmp_path: Path) -> None:
    files = server_files(tmp_path / "pki")
    for path in (files.certificate, files.key, files.client_ca, files.client_certificate,
                 files.client_key, files.ca):
        assert path.is_file()
    assert (tmp_path / "pki" / "pki.json").is_file()
    assert files.certificate.read_bytes().count(b"BEGIN CERTIFICATE") == 2  # leaf + issuer
