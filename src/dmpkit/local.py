"""The local SI DMP and a client to it, wired in one call (demo, notebooks, bench, bulk feed).

:class:`LocalDmp` creates a test PKI and the simulator's database in a folder (a temporary one
by default), serves the simulator in-process and hands out :class:`~dmpkit.client.DmpClient`
objects authenticated as a seed professional. It sits above the client and the server, which
never import each other.
"""

from __future__ import annotations

import re
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from dmpkit import testmode
from dmpkit.cda import inputs as cda_in
from dmpkit.cda.builder import N1Builder, N1Document
from dmpkit.cda.samples import minimal_pdf
from dmpkit.client import AsyncDmpClient, ClientSettings, DmpClient, VihfFactory
from dmpkit.identifiers.ins import Ins
from dmpkit.pki import TestPki, generate_test_pki, load_pki, write_pki
from dmpkit.pki.store import certificate_pem
from dmpkit.simulator import Simulator, create_app
from dmpkit.transport import (
    AsyncSoapHttpClient,
    SoapHttpClient,
    TransportConfig,
    WireCapture,
    asgi_transport,
)
from dmpkit.vihf import AuthentificationMode, InsIdentifier, VihfClaims, VihfSigner

__all__ = ["DR_JEANNE", "LOCAL_BASE_URL", "LocalDmp", "n1_document", "wire"]

LOCAL_BASE_URL = "https://localhost"
# Seed professional 899900077985 (specs/dmp/seed.toml), authenticated with her CPS card.
DR_JEANNE = VihfClaims(authentification_mode=AuthentificationMode.DIRECTE)
_P12_PASSWORD = b"dmpkit"


class LocalDmp:
    """A local SI DMP in a folder, served in-process, with clients to it.

    Args:
        folder: where the PKI and the database live; a temporary folder (removed on
            :meth:`close`) when None.
        settings: the clients' settings (CDA validation layers, sourceId…).
        capture: records every exchange of every client (for notebooks).
        https: serve over real HTTPS with mutual TLS on a free loopback port (uvicorn in a
            background thread) instead of in-process.
    """

    def __init__(self, folder: Path | None = None, *, settings: ClientSettings | None = None,
                 capture: WireCapture | None = None, https: bool = False) -> None:
        self._temporary = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="dmpkit-")) if folder is None else folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.pki = self._pki(self.folder / "pki")
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.base_url = LOCAL_BASE_URL
        if https:
            self.app: Simulator = self._start_https()
        else:
            self.app = create_app(db_path=self.folder / "dmp.sqlite", pki=self.pki)
        self.settings = settings or ClientSettings()
        self.capture = capture
        self._clients: list[DmpClient] = []

    @staticmethod
    def _pki(folder: Path) -> TestPki:
        if (folder / "pki.json").is_file():
            return load_pki(folder)
        pki = generate_test_pki()
        write_pki(pki, folder, p12_password=_P12_PASSWORD)
        return pki

    def _start_https(self) -> Simulator:
        from dmpkit.simulator.server import build_server

        with socket.socket() as probe:  # a free loopback port
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        server, app = build_server(pki_dir=self.folder / "pki", db_path=self.folder /
                                   "dmp.sqlite", port=port)
        self._server = server
        self._thread = threading.Thread(target=server.run, name="dmpkit-local-https",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the local SI DMP did not start on 127.0.0.1:{port}")
            time.sleep(0.02)
        self.base_url = f"https://localhost:{port}"
        return app

    @property
    def transport_name(self) -> str:
        """How clients reach the server: ``in-process`` or ``HTTPS <url>``."""
        return "in-process" if self._server is None else f"HTTPS {self.base_url}"

    def _http(self) -> SoapHttpClient:
        if self._server is None:
            return SoapHttpClient(
                TransportConfig(LOCAL_BASE_URL),
                transport=asgi_transport(self.app, client_cert_pem=self.client_certificate()),
                capture=self.capture)
        return SoapHttpClient(self._https_config(), capture=self.capture)

    def _https_config(self) -> TransportConfig:
        from dmpkit.simulator.server import server_files

        files = server_files(self.folder / "pki")
        return TransportConfig(self.base_url, client_cert=files.client_certificate,
                               client_key=files.client_key, ca_bundle=files.ca)

    def client_certificate(self) -> bytes:
        """The structure's ORG AUTH_CLI chain, leaf first (the mTLS identity presented)."""
        chain = [self.pki.auth_cli.certificate, *self.pki.auth_cli.chain]
        return b"".join(certificate_pem(c) for c in chain)

    def client(self, claims: VihfClaims = DR_JEANNE) -> DmpClient:
        """A client authenticated as ``claims`` (default: Dr Jeanne DMPKIT-TEST, CPS card)."""
        client = DmpClient(self._http(), VihfFactory(VihfSigner.from_certified_key(self.pki.sign),
                                             claims), settings=self.settings)
        self._clients.append(client)
        return client

    def async_client(self, claims: VihfClaims = DR_JEANNE) -> AsyncDmpClient:
        """The asyncio twin of :meth:`client` (close it with ``await client.aclose()``)."""
        if self._server is None:
            http = AsyncSoapHttpClient(
                TransportConfig(LOCAL_BASE_URL),
                transport=asgi_transport(self.app, client_cert_pem=self.client_certificate()),
                capture=self.capture)
        else:
            http = AsyncSoapHttpClient(self._https_config(), capture=self.capture)
        return AsyncDmpClient(http, VihfFactory(VihfSigner.from_certified_key(self.pki.sign),
                                                claims), settings=self.settings)

    def professional(self, name_id: str, subject_id: str, **changes: object) -> VihfClaims:
        """The claims of another seed professional (direct authentication by default)."""
        return replace(DR_JEANNE, name_id=name_id, subject_id=subject_id, **changes)  # type: ignore[arg-type]

    def close(self) -> None:
        """Close the clients and remove the temporary folder."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = None
        if self._temporary:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def n1_document(
    patient: InsIdentifier,
    *,
    birth_name: str,
    given: str,
    gender: str,
    birth_date: date,
    content: bytes | None = None,
    media_type: str = "application/pdf",
    title: str = "Compte rendu de consultation",
    document_id: str | None = None,
    replaces: str | None = None,
    when: datetime | None = None,
) -> bytes:
    """A CDA N1 document (a PDF by default) by Dr Jeanne DMPKIT-TEST for ``patient``.

    Args:
        patient: the INS.
        birth_name: nom de naissance. given: premier prénom. gender: F, M or U.
        birth_date: date de naissance.
        content: the embedded file (default: a minimal PDF/A-1).
        media_type: its media type.
        title: the document title.
        document_id: the CDA id (default: a fresh OID).
        replaces: the id of the document this one replaces (RPLC), if any.
        when: the act and document time (default: now, on the test clock in test mode).

    Raises:
        dmpkit.cda.builder.N1BuildError: an input the builder refuses.
    """
    moment = when or testmode.now()
    doctor = cda_in.HealthProfessional(
        "899900077985", cda_in.PersonName("DMPKIT-TEST", "Jeanne", prefix="MME", suffix="DR"),
        cda_in.Code("G15_10/SM26", "1.2.250.1.213.1.1.4.5", "Qualifié en Médecine Générale (SM)"))
    structure = cda_in.Organization("1990000010", "CENTRE HOSPITALIER DMPKIT TEST",
                                    telecom="tel:0100000000")
    spec = N1Document(
        content=content if content is not None else minimal_pdf(1), media_type=media_type,
        type_code=cda_in.Code("11488-4", "2.16.840.1.113883.6.1", "Note de consultation",
                              "LOINC"),
        title=title,
        patient=cda_in.Patient(Ins(patient.matricule, patient.oid), birth_name, given, gender,
                               birth_date, "75114"),
        authors=[cda_in.Author(doctor, structure, moment)], custodian=structure,
        legal_authenticator=cda_in.LegalAuthenticator(doctor, moment),
        service_event=cda_in.ServiceEvent(
            moment - timedelta(minutes=30), doctor, structure,
            cda_in.Code("ETABLISSEMENT", "1.2.250.1.213.1.1.4.9", "Etablissement de santé"),
            end=moment),
        encounter=cda_in.Encounter(moment - timedelta(minutes=30),
                                   cda_in.Code("SA01", "1.2.250.1.71.4.2.4",
                                               "Etablissement public de santé"),
                                   end=moment, facility_id=("1.2.250.1.71.4.2.2", "1990000010")),
        effective_time=moment, document_id=document_id,
        replaces=cda_in.ReplacedDocument(replaces) if replaces else None,
    )
    return N1Builder().build(spec).xml


_SECURITY = re.compile(r"(?s)<wsse:Security\b.*?</wsse:Security>")


def wire(capture: WireCapture, *, last: int = 1, response: bool = True,
         security: bool = False) -> str:
    """The last exchanges of a capture as they went on the wire, without timings.

    Args:
        capture: the capture given to the clients.
        last: how many exchanges to show, oldest first.
        response: show the answers too (False: the requests only).
        security: show the ``wsse:Security`` header (the signed VIHF) in full; by default it is
            replaced by a one-line note, the VIHF being shown on its own in notebook 02.
    """
    def body(text: str) -> str:
        if security:
            return text
        return _SECURITY.sub("<wsse:Security><!-- the signed VIHF (saml:Assertion) --></"
                             "wsse:Security>", text)

    blocks = []
    for exchange in capture.exchanges[-last:]:
        lines = [f">>> {exchange.method} {exchange.url}",
                 f"Content-Type: {exchange.request_headers.get('content-type', '')}", "",
                 body(exchange.request_body)]
        if response:
            lines += ["", f"<<< {exchange.status_code}",
                      f"Content-Type: {exchange.response_headers.get('content-type', '')}", "",
                      body(exchange.response_body)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
