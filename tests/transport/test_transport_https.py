"""The client over real HTTPS on loopback: mTLS, TLS versions, retries, timeouts, typed errors."""

from __future__ import annotations

import socket
import ssl
import threading
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    load_pem_private_key,
    pkcs12,
)
from cryptography.x509 import load_pem_x509_certificate

from dmpkit import mtom, testmode
from dmpkit.transport import (
    AsyncSoapHttpClient,
    RetryPolicy,
    SoapHttpClient,
    TransportConfig,
    TransportConfigError,
    TransportConnectError,
    TransportTimeoutError,
    TransportTlsError,
)

ACTION = "urn:ihe:iti:2007:RegistryStoredQuery"
ENVELOPE = b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>'
NO_WAIT = RetryPolicy(max_attempts=3, backoff_initial=0.0, backoff_max=0.0)


def _config(server: Any, pki: Any, **changes: object) -> TransportConfig:
    config = TransportConfig(
        base_url=server.base_url,
        client_cert=pki.client.cert_path,
        client_key=pki.client.key_path,
        ca_bundle=pki.ca_path,
        connect_timeout=3.0,
        read_timeout=3.0,
        retries=NO_WAIT,
    )
    return replace(config, **changes)  # type: ignore[arg-type]


def test_mtls_succeeds_with_the_right_client_certificate(https_server: Any, pki: Any) -> None:
    with SoapHttpClient(_config(https_server, pki)) as client:
        reply = client.post(
            "registry",
            ENVELOPE,
            "application/soap+xml; charset=utf-8",
            action=ACTION,
            idempotent=True,
        )
    assert reply.status_code == 200
    assert reply.body == ENVELOPE
    seen = https_server.app.requests[0]
    assert seen["path"] == "/si-dmp-server/v2/services/registry"
    assert f'action="{ACTION}"' in seen["headers"]["content-type"]
    # The server saw our certificate through the ASGI TLS extension (tls_scope_protocol).
    assert seen["tls"]["client_cert_chain"] == [pki.client.cert_pem.decode()]
    assert "CN=ORG AUTH_CLI test" in seen["tls"]["client_cert_name"]
    assert seen["tls"]["tls_version"] in {0x0303, 0x0304}


def test_mtom_body_crosses_the_wire_unchanged(https_server: Any, pki: Any) -> None:
    root = (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        b'<D xmlns:xop="http://www.w3.org/2004/08/xop/include"><xop:Include href="cid:d@x"/></D>'
        b"</s:Body></s:Envelope>"
    )
    payload = bytes(range(256)) * 2048
    message = mtom.encode(root, [mtom.MtomPart("d@x", "application/pdf", payload)], action=None)
    with SoapHttpClient(_config(https_server, pki)) as client:
        reply = client.post(
            "repository",
            message.body,
            message.content_type,
            action="urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b",
            idempotent=False,
        )
    sent_type = https_server.app.requests[0]["headers"]["content-type"]
    assert mtom.decode(sent_type, reply.body).resolve()["d@x"] == payload
    assert 'action="urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"' in sent_type


def test_pkcs12_identity_with_password_from_environment(
    https_server: Any, pki: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = pkcs12.serialize_key_and_certificates(
        b"auth_cli",
        load_pem_private_key(pki.client.key_pem, None),  # type: ignore[arg-type]
        load_pem_x509_certificate(pki.client.cert_pem),
        None,
        BestAvailableEncryption(b"s3cret"),
    )
    (tmp_path / "auth_cli.p12").write_bytes(bundle)
    config = _config(
        https_server,
        pki,
        client_cert=None,
        client_key=None,
        pkcs12=tmp_path / "auth_cli.p12",
        pkcs12_password_env="TEST_P12_PASSWORD",
    )
    with pytest.raises(TransportConfigError, match="TEST_P12_PASSWORD"):
        SoapHttpClient(config)
    monkeypatch.setenv("TEST_P12_PASSWORD", "wrong")
    with pytest.raises(TransportConfigError, match="wrong password"):
        SoapHttpClient(config)
    monkeypatch.setenv("TEST_P12_PASSWORD", "s3cret")
    with SoapHttpClient(config) as client:
        assert (
            client.post(
                "patients", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=True
            ).status_code
            == 200
        )


def test_no_client_certificate_is_a_tls_error(https_server: Any, pki: Any) -> None:
    with (
        SoapHttpClient(_config(https_server, pki, client_cert=None, client_key=None)) as client,
        pytest.raises(TransportTlsError),
    ):
        client.post("registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=True)
    assert https_server.app.requests == []


def test_foreign_client_certificate_is_a_tls_error(https_server: Any, pki: Any) -> None:
    config = _config(
        https_server,
        pki,
        client_cert=pki.foreign_client.cert_path,
        client_key=pki.foreign_client.key_path,
    )
    with SoapHttpClient(config) as client, pytest.raises(TransportTlsError):
        client.post("registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=True)
    assert https_server.app.requests == []


def test_untrusted_server_is_a_tls_error(https_server: Any, pki: Any) -> None:
    config = _config(https_server, pki, ca_bundle=pki.foreign_ca_path)
    with SoapHttpClient(config) as client, pytest.raises(TransportTlsError, match="CA bundle"):
        client.post("registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=True)


@pytest.fixture
def tls11_only_server(pki: Any) -> Iterator[str]:
    """A raw TLS server that offers nothing above TLS 1.1."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # configuring TLS 1.1 on purpose
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        context.set_ciphers("ALL:@SECLEVEL=0")
        context.load_cert_chain(pki.server.cert_path, pki.server.key_path)
    except (ssl.SSLError, ValueError) as exc:
        pytest.skip(f"this OpenSSL cannot even configure a TLS 1.1 server: {exc}")
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    handshakes: list[str] = []

    def serve() -> None:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection:
            try:
                with context.wrap_socket(connection, server_side=True) as tls:
                    handshakes.append(tls.version() or "")
            except (ssl.SSLError, OSError) as exc:
                handshakes.append(f"refused: {exc}")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
    thread.join(timeout=5)
    assert handshakes and handshakes[0].startswith("refused")


def test_a_tls11_server_is_refused(tls11_only_server: str, pki: Any) -> None:
    config = TransportConfig(
        base_url=tls11_only_server, ca_bundle=pki.ca_path, connect_timeout=3.0, retries=NO_WAIT
    )
    with SoapHttpClient(config) as client, pytest.raises(TransportTlsError):
        client.post("registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=False)


def test_retries_only_for_idempotent_transactions(https_server: Any, pki: Any) -> None:
    https_server.app.fail_first = 2
    waits: list[float] = []
    with SoapHttpClient(_config(https_server, pki), sleep=waits.append) as client:
        reply = client.post(
            "registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=True
        )
    assert (reply.status_code, reply.attempts, len(https_server.app.requests)) == (200, 3, 3)
    assert waits == [0.0, 0.0]  # Retry-After: 0, capped by backoff_max

    https_server.app.requests.clear()
    https_server.app.fail_first = 2
    with SoapHttpClient(_config(https_server, pki), sleep=waits.append) as client:
        reply = client.post(
            "repository", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=False
        )
    assert (reply.status_code, reply.attempts, len(https_server.app.requests)) == (503, 1, 1)


def test_backoff_is_deterministic_in_test_mode() -> None:
    policy = RetryPolicy(max_attempts=4, backoff_initial=0.5, backoff_factor=2.0, backoff_max=1.5)
    testmode.enable(7)
    try:
        first = [policy.delay(n) for n in (1, 2, 3)]
        testmode.enable(7)
        second = [policy.delay(n) for n in (1, 2, 3)]
    finally:
        testmode.disable()
    assert first == second
    assert 0.25 <= first[0] <= 0.5 and 0.5 <= first[1] <= 1.0 and 0.75 <= first[2] <= 1.5


def test_read_timeout_is_typed_and_retried_only_when_idempotent(
    https_server: Any, pki: Any
) -> None:
    https_server.app.delay = 1.0
    config = _config(https_server, pki, read_timeout=0.2, retries=replace(NO_WAIT, max_attempts=2))
    with SoapHttpClient(config, sleep=lambda _: None) as client:
        with pytest.raises(TransportTimeoutError, match="read timeout"):
            client.post(
                "registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=False
            )
        assert len(https_server.app.requests) == 1
        with pytest.raises(TransportTimeoutError):
            client.post(
                "registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=True
            )
        assert len(https_server.app.requests) == 3


def test_connection_refused_is_typed_and_retried_when_idempotent(pki: Any) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    waits: list[float] = []
    config = TransportConfig(
        base_url=f"https://127.0.0.1:{port}", ca_bundle=pki.ca_path, retries=NO_WAIT
    )
    with SoapHttpClient(config, sleep=waits.append) as client:
        with pytest.raises(TransportConnectError, match="cannot connect"):
            client.post(
                "registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=True
            )
        assert len(waits) == 2
        with pytest.raises(TransportConnectError):
            client.post(
                "repository", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=False
            )
        assert len(waits) == 2


async def test_async_client_over_https(https_server: Any, pki: Any) -> None:
    https_server.app.fail_first = 1
    waits: list[float] = []

    async def record(delay: float) -> None:
        waits.append(delay)

    async with AsyncSoapHttpClient(_config(https_server, pki), sleep=record) as client:
        reply = await client.post(
            "patients", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=True
        )
    assert (reply.status_code, reply.attempts, waits) == (200, 2, [0.0])
    assert https_server.app.requests[-1]["tls"]["client_cert_chain"] == [
        pki.client.cert_pem.decode()
    ]


async def test_async_client_without_certificate_gets_a_tls_error(
    https_server: Any, pki: Any
) -> None:
    config = _config(https_server, pki, client_cert=None, client_key=None)
    async with AsyncSoapHttpClient(config) as client:
        with pytest.raises(TransportTlsError, match="client certificate"):
            await client.post(
                "registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=False
            )
    assert https_server.app.requests == []


def _mtom_message() -> mtom.MtomMessage:
    root = (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        b'<D xmlns:xop="http://www.w3.org/2004/08/xop/include"><xop:Include href="cid:d@x"/></D>'
        b"</s:Body></s:Envelope>"
    )
    payload = memoryview(bytes(range(256)) * 1024)
    return mtom.encode(root, [mtom.MtomPart("d@x", "application/pdf", payload)], action=None)


def test_an_mtom_message_is_streamed_with_a_content_length(https_server: Any, pki: Any) -> None:
    message = _mtom_message()
    with SoapHttpClient(_config(https_server, pki)) as client:
        client.post("repository", message, message.content_type, action="urn:a", idempotent=True)
    seen = https_server.app.requests[0]
    assert seen["body"] == message.body
    assert seen["headers"]["content-length"] == str(len(message))
    assert "transfer-encoding" not in seen["headers"]


async def test_an_mtom_message_is_streamed_by_the_async_client(https_server: Any, pki: Any) -> None:
    message = _mtom_message()
    async with AsyncSoapHttpClient(_config(https_server, pki)) as client:
        await client.post(
            "repository", message, message.content_type, action="urn:a", idempotent=False
        )
    assert https_server.app.requests[0]["body"] == message.body
    assert "transfer-encoding" not in https_server.app.requests[0]["headers"]
