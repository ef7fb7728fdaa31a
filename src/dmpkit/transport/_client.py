"""SOAP-over-HTTP clients (sync and async): they move bytes; the SOAP layer gives them meaning."""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

import httpx

from dmpkit.mtom import MtomHeaderError, MtomMessage, parse_media_type
from dmpkit.transport._capture import WireCapture
from dmpkit.transport._config import TransportConfig, service_url
from dmpkit.transport._errors import (
    TransportConnectError,
    TransportError,
    TransportProtocolError,
    TransportTimeoutError,
    TransportTlsError,
)
from dmpkit.transport._tls import build_ssl_context, diagnose_handshake

__all__ = ["AsyncSoapHttpClient", "HttpReply", "SoapHttpClient", "content_type_with_action"]

logger = logging.getLogger("dmpkit.transport")


@dataclass(frozen=True, slots=True)
class HttpReply:
    """What the server answered, untouched.

    Attributes:
        status_code: the HTTP status (the SI DMP answers 500 with a SOAP fault on error).
        content_type: the Content-Type header ("" if absent).
        body: the raw body (MTOM multipart for ITI-43 even with a fault).
        headers: response headers, names lower-cased.
        elapsed: seconds spent on the successful attempt.
        url: the endpoint called.
        attempts: how many attempts were made.
    """

    status_code: int
    content_type: str
    body: bytes
    headers: Mapping[str, str]
    elapsed: float
    url: str = ""
    attempts: int = 1


def content_type_with_action(content_type: str, action: str) -> str:
    """Add the SOAP 1.2 ``action`` parameter to a Content-Type that lacks it.

    Raises:
        TransportError: the Content-Type is malformed, or names a different action.
    """
    try:
        media_type = parse_media_type(content_type)
        parse_media_type(f'text/plain; action="{action}"')
    except MtomHeaderError as exc:
        raise TransportError(f"cannot send Content-Type {content_type[:80]!r}: {exc}") from None
    present = media_type.get("action")
    if present is None:
        escaped = action.replace("\\", "\\\\").replace('"', '\\"')
        return f'{content_type}; action="{escaped}"'
    if present != action:
        raise TransportError(f"Content-Type says action {present!r} but the call says {action!r}")
    return content_type


def _ssl_reason(exc: BaseException) -> str | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return str(current.reason or current)
        current = current.__cause__ or current.__context__
    text = str(exc)
    return text if "SSL" in text or "TLS" in text else None


def map_transport_error(exc: httpx.TransportError, url: str) -> TransportError:
    """Turn an httpx transport failure into a typed dmpkit error with a useful message."""
    host = urlsplit(url).netloc
    if isinstance(exc, httpx.TimeoutException):
        kind = type(exc).__name__.replace("Timeout", "").lower() or "request"
        return TransportTimeoutError(f"{kind} timeout calling {url}; raise the timeout or retry")
    reason = _ssl_reason(exc)
    if reason is not None:
        return TransportTlsError(
            f"TLS with {host} failed ({reason}): check the CA bundle (IGC Santé), the client "
            "certificate (ORG AUTH_CLI) and that the server accepts TLS 1.2+"
        )
    if isinstance(exc, httpx.ConnectError):
        return TransportConnectError(f"cannot connect to {host}: {exc}")
    return TransportProtocolError(f"the exchange with {host} broke: {type(exc).__name__}: {exc}")


def _sync_chunks(message: MtomMessage) -> Iterator[bytes]:
    for chunk in message.iter_chunks():
        yield chunk if isinstance(chunk, bytes) else chunk.tobytes()


async def _async_chunks(message: MtomMessage) -> AsyncIterator[bytes]:
    for chunk in message.iter_chunks():
        yield chunk if isinstance(chunk, bytes) else chunk.tobytes()


def _length_header(headers: dict[str, str], body: bytes | MtomMessage) -> dict[str, str]:
    # With a Content-Length, httpx streams the chunks instead of using chunked encoding.
    if isinstance(body, MtomMessage):
        return {**headers, "content-length": str(len(body))}
    return headers


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None  # an HTTP-date: fall back to our own backoff


class _ClientBase:
    def __init__(
        self, config: TransportConfig, capture: WireCapture | None, network: bool
    ) -> None:
        self.config = config
        self.capture = capture
        self._network = network

    def _timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.config.connect_timeout,
            read=self.config.read_timeout,
            write=self.config.write_timeout,
            pool=self.config.pool_timeout,
        )

    def _prepare(
        self, service: str, content_type: str, action: str, idempotent: bool
    ) -> tuple[str, dict[str, str], int]:
        url = service_url(self.config.base_url, service)
        headers = {"content-type": content_type_with_action(content_type, action)}
        attempts = self.config.retries.max_attempts if idempotent else 1
        return url, headers, attempts

    def _record(
        self,
        url: str,
        headers: Mapping[str, str],
        body: bytes | MtomMessage,
        attempt: int,
        elapsed: float,
        response: httpx.Response | None,
        error: TransportError | None,
    ) -> None:
        if response is not None:
            logger.debug("POST %s -> %s (%.0f ms)", url, response.status_code, elapsed * 1000)
        else:
            logger.debug("POST %s failed: %s", url, type(error).__name__)
        if self.capture is None:
            return
        self.capture.record(
            method="POST",
            url=url,
            request_headers=headers,
            request_body=body.body if isinstance(body, MtomMessage) else body,
            status_code=response.status_code if response is not None else None,
            response_headers=dict(response.headers) if response is not None else {},
            response_body=response.content if response is not None else b"",
            elapsed=elapsed,
            attempt=attempt,
            error=str(error) if error is not None else None,
        )

    def _diagnose(self, error: TransportError, url: str) -> TransportError:
        """Turn a silent disconnect into a TLS error when a TLS 1.2 replay shows a refusal."""
        parts = urlsplit(url)
        if not (self._network and isinstance(error, TransportProtocolError)):
            return error
        if parts.scheme != "https" or parts.hostname is None:
            return error
        reason = diagnose_handshake(self.config, parts.hostname, parts.port or 443)
        if reason is None:
            return error
        return TransportTlsError(
            f"{parts.netloc} closed the connection without answering; a TLS 1.2 handshake then "
            f"failed with {reason}: the server most likely refused the client certificate "
            "(check the ORG AUTH_CLI certificate and its issuer)"
        )

    @staticmethod
    def _reply(response: httpx.Response, url: str, elapsed: float, attempt: int) -> HttpReply:
        return HttpReply(
            status_code=response.status_code,
            content_type=response.headers.get("content-type", ""),
            body=response.content,
            headers=dict(response.headers),
            elapsed=elapsed,
            url=url,
            attempts=attempt,
        )


class SoapHttpClient(_ClientBase):
    """A synchronous HTTPS client for the SI DMP services.

    Args:
        config: where to connect and with which identity.
        transport: an httpx transport to use instead of the network, e.g.
            :func:`~dmpkit.transport.asgi_transport` for the in-process local server.
        capture: a :class:`WireCapture` recording every exchange.
        sleep: the function used to wait between retries (tests pass a recorder).
    """

    def __init__(
        self,
        config: TransportConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        capture: WireCapture | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(config, capture, network=transport is None)
        self._sleep = sleep
        verify: ssl.SSLContext | bool = build_ssl_context(config) if transport is None else True
        self._client = httpx.Client(
            verify=verify, timeout=self._timeout(), transport=transport, follow_redirects=False
        )

    def post(
        self,
        service: str,
        body: bytes | MtomMessage,
        content_type: str,
        *,
        action: str,
        idempotent: bool,
    ) -> HttpReply:
        """POST a SOAP message to one DMP service and return the raw reply.

        Args:
            service: the service name (``repository``, ``registry``, ``patients``, …).
            body: the message bytes (SOAP envelope or MTOM multipart), or an
                :class:`~dmpkit.mtom.MtomMessage`, streamed without joining its payloads.
            content_type: its Content-Type; the ``action`` parameter is added if absent.
            action: the SOAP action of the transaction.
            idempotent: whether the transaction may be sent twice; only then are
                connect errors, timeouts and HTTP 503 retried.

        Raises:
            TransportError: a typed subclass (connect, TLS, timeout, protocol).
        """
        url, headers, attempts = self._prepare(service, content_type, action, idempotent)
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            try:
                content = _sync_chunks(body) if isinstance(body, MtomMessage) else body
                response = self._client.post(
                    url, content=content, headers=_length_header(headers, body)
                )
            except httpx.TransportError as exc:
                error = self._diagnose(map_transport_error(exc, url), url)
                elapsed = time.perf_counter() - started
                self._record(url, headers, body, attempt, elapsed, None, error)
                if error.retryable and attempt < attempts:
                    self._sleep(self.config.retries.delay(attempt))
                    continue
                raise error from exc
            elapsed = time.perf_counter() - started
            self._record(url, headers, body, attempt, elapsed, response, None)
            if response.status_code in self.config.retries.retry_on_status and attempt < attempts:
                self._sleep(self.config.retries.delay(attempt, _retry_after(response)))
                continue
            return self._reply(response, url, elapsed, attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def close(self) -> None:
        """Close connections (and the in-process bridge, if any)."""
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncSoapHttpClient(_ClientBase):
    """The asyncio twin of :class:`SoapHttpClient` (same arguments, ``await client.post(…)``)."""

    def __init__(
        self,
        config: TransportConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        capture: WireCapture | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(config, capture, network=transport is None)
        self._sleep = sleep
        verify: ssl.SSLContext | bool = build_ssl_context(config) if transport is None else True
        self._client = httpx.AsyncClient(
            verify=verify, timeout=self._timeout(), transport=transport, follow_redirects=False
        )

    async def post(
        self,
        service: str,
        body: bytes | MtomMessage,
        content_type: str,
        *,
        action: str,
        idempotent: bool,
    ) -> HttpReply:
        """POST a SOAP message to one DMP service; see :meth:`SoapHttpClient.post`."""
        url, headers, attempts = self._prepare(service, content_type, action, idempotent)
        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            try:
                stream = _async_chunks(body) if isinstance(body, MtomMessage) else body
                response = await self._client.post(
                    url, content=stream, headers=_length_header(headers, body)
                )
            except httpx.TransportError as exc:
                error = await asyncio.to_thread(self._diagnose, map_transport_error(exc, url), url)
                elapsed = time.perf_counter() - started
                self._record(url, headers, body, attempt, elapsed, None, error)
                if error.retryable and attempt < attempts:
                    await self._sleep(self.config.retries.delay(attempt))
                    continue
                raise error from exc
            elapsed = time.perf_counter() - started
            self._record(url, headers, body, attempt, elapsed, response, None)
            if response.status_code in self.config.retries.retry_on_status and attempt < attempts:
                await self._sleep(self.config.retries.delay(attempt, _retry_after(response)))
                continue
            return self._reply(response, url, elapsed, attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def aclose(self) -> None:
        """Close connections."""
        await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
