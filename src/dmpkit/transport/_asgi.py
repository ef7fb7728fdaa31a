"""In-process transport: an ASGI app (the local SI DMP) reached through httpx, sync or async.

httpx's ``ASGITransport`` is async-only. :class:`AsgiTransport` is also a sync transport: it
runs the app on an event loop in a private background thread, so the sync client works in a
plain script and inside Jupyter (where the notebook's own loop is already running).
The client identity is injected into the ASGI scope through the ASGI TLS extension
(``scope["extensions"]["tls"]``), as a TLS-terminating server would report it.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from concurrent.futures import TimeoutError as FutureTimeoutError
from typing import Any, TypeVar

import httpx
from cryptography import x509

from dmpkit.transport._errors import TransportConfigError, TransportTimeoutError

__all__ = ["AsgiApp", "AsgiTransport", "asgi_transport", "tls_extension"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----\s.*?-----END CERTIFICATE-----\s*", re.DOTALL
)
_T = TypeVar("_T")


def tls_extension(
    client_cert_pem: bytes | None, *, tls_version: int | None = None
) -> dict[str, Any]:
    """The ASGI TLS extension dictionary for a client certificate chain (PEM, leaf first).

    Field names follow the ASGI TLS extension: ``server_cert``, ``client_cert_chain`` (PEM
    strings), ``client_cert_name`` (RFC 4514), ``client_cert_error``, ``tls_version``,
    ``cipher_suite``.

    Raises:
        TransportConfigError: the PEM data holds no parsable certificate.
    """
    chain: list[str] = []
    name: str | None = None
    if client_cert_pem:
        blocks = _PEM_CERTIFICATE.findall(client_cert_pem)
        chain = [block.decode("ascii").strip() + "\n" for block in blocks]
        if not chain:
            raise TransportConfigError("client_cert_pem holds no PEM certificate")
        try:
            leaf = x509.load_pem_x509_certificate(chain[0].encode("ascii"))
        except ValueError as exc:
            raise TransportConfigError(f"client_cert_pem is not a certificate: {exc}") from None
        name = leaf.subject.rfc4514_string()
    return {
        "server_cert": None,
        "client_cert_chain": chain,
        "client_cert_name": name,
        "client_cert_error": None,
        "tls_version": tls_version,
        "cipher_suite": None,
    }


def with_tls_scope(app: AsgiApp, extension: dict[str, Any]) -> AsgiApp:
    """Wrap an ASGI app so that every HTTP/WebSocket scope carries ``extension`` as ``tls``."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") in {"http", "websocket"}:
            scope = dict(scope)
            extensions = dict(scope.get("extensions") or {})
            extensions["tls"] = extension
            scope["extensions"] = extensions
        await app(scope, receive, send)

    return wrapped


async def _cancel_pending() -> None:
    pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


class _LoopThread:
    """An event loop running forever in a daemon thread, fed coroutines from other threads."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="dmpkit-asgi-bridge", daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, _T], timeout: float | None) -> _T:
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("the sync ASGI bridge cannot be called from its own loop")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except FutureTimeoutError:
            future.cancel()
            raise TransportTimeoutError(
                f"the in-process app did not answer within {timeout} s"
            ) from None

    def close(self) -> None:
        # Cancel what is still running (an app that outlived a timeout) before stopping.
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(_cancel_pending(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()


class AsgiTransport(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """An httpx transport to an in-process ASGI app, usable by sync and async clients."""

    def __init__(
        self,
        app: AsgiApp,
        *,
        client_cert_pem: bytes | None = None,
        client: tuple[str, int] = ("127.0.0.1", 50_000),
        timeout: float | None = 60.0,
    ) -> None:
        self.tls = tls_extension(client_cert_pem)
        self._inner = httpx.ASGITransport(app=with_tls_scope(app, self.tls), client=client)
        self._timeout = timeout
        self._bridge: _LoopThread | None = None
        self._bridge_lock = threading.Lock()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        # The sync request stream cannot be read from the bridge loop: rebuild it in memory.
        replay = httpx.Request(request.method, request.url, headers=request.headers, content=body)

        async def exchange() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            response = await self._inner.handle_async_request(replay)
            content = await response.aread()
            return response.status_code, response.headers.raw, content

        status, headers, content = self._loop().run(exchange(), self._timeout)
        return httpx.Response(status, headers=headers, content=content, request=request)

    def _loop(self) -> _LoopThread:
        with self._bridge_lock:
            if self._bridge is None:
                self._bridge = _LoopThread()
            return self._bridge

    def close(self) -> None:
        with self._bridge_lock:
            if self._bridge is not None:
                self._bridge.close()
                self._bridge = None

    async def aclose(self) -> None:
        self.close()


def asgi_transport(
    app: AsgiApp,
    *,
    client_cert_pem: bytes | None,
    timeout: float | None = 60.0,
) -> AsgiTransport:
    """A transport calling ``app`` in-process, presenting ``client_cert_pem`` as mTLS identity.

    Pass the result as ``transport=`` to :class:`~dmpkit.transport.SoapHttpClient` or
    :class:`~dmpkit.transport.AsyncSoapHttpClient`; everything else stays as over HTTPS.

    Args:
        app: the ASGI application (for example the local SI DMP simulator).
        client_cert_pem: the client certificate chain, PEM, leaf first (``None``: no identity).
        timeout: seconds the sync bridge waits for the app.
    """
    return AsgiTransport(app, client_cert_pem=client_cert_pem, timeout=timeout)
