"""Shared pieces of the client tests: seed patients, claims, and a client factory."""

from __future__ import annotations

from dmpkit.client import ClientSettings, DmpClient, VihfFactory
from dmpkit.pki import TestPki
from dmpkit.pki.store import certificate_pem
from dmpkit.simulator.records import REPOSITORY_UNIQUE_ID
from dmpkit.transport import SoapHttpClient, TransportConfig, WireCapture, asgi_transport
from dmpkit.vihf import AuthentificationMode, InsIdentifier, VihfClaims, VihfSigner

BASE_URL = "https://localhost"
# Seed patients (specs/dmp/seed.toml).
ACTIVE = InsIdentifier("279035121518989")
EMPTY = InsIdentifier("185077512345608")
ABSENT = InsIdentifier("292061305501271")
CLOSED = InsIdentifier("168029912378971")
DIRECT = VihfClaims(authentification_mode=AuthentificationMode.DIRECTE)
# XSD only: the schematron layers cost seconds to compile (one test runs them all).
FAST = ClientSettings(cda_layers=("xsd",), repository_unique_id=REPOSITORY_UNIQUE_ID)


def client_pem(pki: TestPki) -> bytes:
    """The ORG AUTH_CLI chain, leaf first, as the in-process transport presents it."""
    return certificate_pem(pki.auth_cli.certificate) + b"".join(
        certificate_pem(c) for c in pki.auth_cli.chain)


def make_client(app: object, pki: TestPki, claims: VihfClaims = DIRECT,
                capture: WireCapture | None = None) -> DmpClient:
    """A DmpClient to ``app`` in-process, as ``claims``."""
    http = SoapHttpClient(TransportConfig(BASE_URL),
                          transport=asgi_transport(app, client_cert_pem=client_pem(pki)),  # type: ignore[arg-type]
                          capture=capture, sleep=lambda _s: None)
    return DmpClient(http, VihfFactory(VihfSigner.from_certified_key(pki.sign), claims),
                     settings=FAST)
