"""The same client through the in-process ASGI transport (sync and async), identity injected."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from dmpkit import mtom
from dmpkit.transport import (
    AsyncSoapHttpClient,
    RetryPolicy,
    SoapHttpClient,
    TransportConfig,
    TransportConfigError,
    TransportTimeoutError,
    asgi_transport,
    tls_extension,
)
from dmpkit.transport.environments import local_environment

ACTION = "urn:hl7-org:v3:PRPA_IN201307UV02"
ENVELOPE = b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>'


def _config() -> TransportConfig:
    return TransportConfig(
        base_url=local_environment().transport.base_url, retries=RetryPolicy(backoff_initial=0.0)
    )


def test_sync_client_in_process_sees_the_client_certificate(echo_app: Any, pki: Any) -> None:
    transport = asgi_transport(echo_app, client_cert_pem=pki.client.cert_pem)
    with SoapHttpClient(_config(), transport=transport) as client:
        reply = client.post(
            "patients", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=True
        )
    assert (reply.status_code, reply.body) == (200, ENVELOPE)
    seen = echo_app.requests[0]
    assert seen["path"] == "/si-dmp-server/v2/services/patients"
    assert seen["tls"]["client_cert_chain"] == [pki.client.cert_pem.decode()]
    assert seen["tls"]["client_cert_name"] == pki.client.certificate.subject.rfc4514_string()
    assert f'action="{ACTION}"' in seen["headers"]["content-type"]


async def test_async_client_in_process(echo_app: Any, pki: Any) -> None:
    async with AsyncSoapHttpClient(
        _config(), transport=asgi_transport(echo_app, client_cert_pem=pki.client.cert_pem)
    ) as client:
        reply = await client.post(
            "registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=False
        )
    assert reply.status_code == 200
    assert echo_app.requests[0]["tls"]["client_cert_chain"] == [pki.client.cert_pem.decode()]


async def test_sync_bridge_works_while_an_event_loop_runs(echo_app: Any, pki: Any) -> None:
    """As in Jupyter: the sync client is called from a thread whose event loop is running."""
    assert asyncio.get_running_loop().is_running()
    with SoapHttpClient(
        _config(), transport=asgi_transport(echo_app, client_cert_pem=pki.client.cert_pem)
    ) as client:
        reply = client.post(
            "registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=True
        )
    assert reply.status_code == 200


def test_retries_in_process_only_when_idempotent(echo_app: Any) -> None:
    echo_app.fail_first = 1
    waits: list[float] = []
    with SoapHttpClient(
        _config(), transport=asgi_transport(echo_app, client_cert_pem=None), sleep=waits.append
    ) as client:
        assert (
            client.post(
                "registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=True
            ).attempts
            == 2
        )
        echo_app.requests.clear()
        echo_app.fail_first = 1
        assert (
            client.post(
                "repository", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=False
            ).status_code
            == 503
        )
    assert len(echo_app.requests) == 1


def test_no_identity_gives_an_empty_chain(echo_app: Any) -> None:
    with SoapHttpClient(
        _config(), transport=asgi_transport(echo_app, client_cert_pem=None)
    ) as client:
        client.post("registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=True)
    assert echo_app.requests[0]["tls"]["client_cert_chain"] == []
    assert echo_app.requests[0]["tls"]["client_cert_name"] is None


def test_bridge_timeout_is_typed(echo_app: Any) -> None:
    echo_app.delay = 2.0
    transport = asgi_transport(echo_app, client_cert_pem=None, timeout=0.2)
    with (
        SoapHttpClient(_config(), transport=transport) as client,
        pytest.raises(TransportTimeoutError),
    ):
        client.post("registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=False)


def test_bridge_thread_stops_on_close(echo_app: Any) -> None:
    client = SoapHttpClient(_config(), transport=asgi_transport(echo_app, client_cert_pem=None))
    client.post("registry", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=True)
    assert "dmpkit-asgi-bridge" in {t.name for t in threading.enumerate()}
    client.close()
    assert "dmpkit-asgi-bridge" not in {t.name for t in threading.enumerate()}


def test_tls_extension_refuses_non_certificates() -> None:
    with pytest.raises(TransportConfigError, match="no PEM certificate"):
        tls_extension(b"not a certificate")


def test_http_500_fault_is_returned_not_retried(pki: Any) -> None:
    """REFERENCE §1.4: the SI DMP answers HTTP 500 with a SOAP fault; the SOAP layer reads it."""
    calls: list[str] = []
    fault = b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault/></s:Body></s:Envelope>'

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        calls.append(scope["path"])
        headers = [(b"content-type", b"application/soap+xml")]
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": fault})

    with SoapHttpClient(_config(), transport=asgi_transport(app, client_cert_pem=None)) as client:
        reply = client.post(
            "patients", ENVELOPE, "application/soap+xml", action=ACTION, idempotent=True
        )
    assert (reply.status_code, reply.body, reply.content_type) == (
        500,
        fault,
        "application/soap+xml",
    )
    assert len(calls) == 1


def test_an_mtom_message_goes_through_the_sync_bridge(echo_app: Any) -> None:
    root = (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        b'<D xmlns:xop="http://www.w3.org/2004/08/xop/include"><xop:Include href="cid:d@x"/></D>'
        b"</s:Body></s:Envelope>"
    )
    message = mtom.encode(root, [mtom.MtomPart("d@x", "text/plain", b"doc")], action=None)
    with SoapHttpClient(_config(), transport=asgi_transport(echo_app, client_cert_pem=None)) as c:
        reply = c.post("repository", message, message.content_type, action="urn:a", idempotent=True)
    assert reply.body == message.body
    assert mtom.decode(message.content_type, reply.body).resolve()["d@x"] == b"doc"
