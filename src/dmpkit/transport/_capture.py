"""A wire capture for notebooks: each HTTP exchange, pretty-printed, redacted by default."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from dmpkit.mtom import MtomError, decode, is_multipart
from dmpkit.transport._redact import redact_headers, redact_text
from dmpkit.xmlparse import XmlSecurityError, parse_xml

__all__ = ["CapturedExchange", "WireCapture", "render_body", "summarize_binary"]

_TEXT_PREVIEW_CHARS = 4_000


def summarize_binary(data: bytes | memoryview) -> str:
    """A one-line stand-in for binary content: ``<binary 1.2 MB sha256=…>``."""
    size = data.nbytes if isinstance(data, memoryview) else len(data)
    digest = hashlib.sha256(data).hexdigest()[:16]
    if size >= 1024 * 1024:
        amount = f"{size / (1024 * 1024):.1f} MB"
    elif size >= 1024:
        amount = f"{size / 1024:.1f} kB"
    else:
        amount = f"{size} B"
    return f"<binary {amount} sha256={digest}…>"


def _pretty_xml(data: bytes) -> str:
    try:
        element = parse_xml(data)
    except XmlSecurityError:
        return _as_text(data)
    return etree.tostring(element, pretty_print=True, encoding="unicode")


def _as_text(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return summarize_binary(data)
    if len(text) > _TEXT_PREVIEW_CHARS:
        return text[:_TEXT_PREVIEW_CHARS] + f"\n… ({len(text)} characters)"
    return text


def render_body(content_type: str, body: bytes) -> str:
    """A readable rendering of an HTTP body: indented XML, MTOM parts summarised."""
    if not body:
        return ""
    if is_multipart(content_type):
        try:
            message = decode(content_type, body)
        except MtomError as exc:
            return f"[unparsable multipart: {exc}]\n{summarize_binary(body)}"
        lines = [f"--- root part <{message.root.content_id}> ---", _pretty_xml(message.root_xml)]
        for content_id, part in message.attachments.items():
            summary = summarize_binary(part.data)
            lines.append(f"--- part <{content_id}> {part.content_type} {summary}")
        return "\n".join(lines)
    if "xml" in content_type.lower():
        return _pretty_xml(body)
    return _as_text(body)


@dataclass(frozen=True, slots=True)
class CapturedExchange:
    """One recorded request/response pair, already rendered (and redacted if asked)."""

    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: str
    status_code: int | None
    response_headers: Mapping[str, str]
    response_body: str
    elapsed: float
    attempt: int
    error: str | None = None

    def format(self) -> str:
        """The exchange as text, request first."""
        lines = [f">>> {self.method} {self.url} (attempt {self.attempt})"]
        lines += [f"{name}: {value}" for name, value in self.request_headers.items()]
        lines += ["", self.request_body, ""]
        if self.error is not None:
            lines.append(f"<<< error after {self.elapsed * 1000:.0f} ms: {self.error}")
        else:
            lines.append(f"<<< {self.status_code} ({self.elapsed * 1000:.0f} ms)")
            lines += [f"{name}: {value}" for name, value in self.response_headers.items()]
            lines += ["", self.response_body]
        return "\n".join(lines)


@dataclass
class WireCapture:
    """A hook that records each HTTP exchange of a client, for notebooks and debugging.

    Pass it as ``capture=`` to :class:`~dmpkit.transport.SoapHttpClient`. With ``redact``
    (the default) patient identifiers, names and key material are masked before storage;
    with a ``logger``, each exchange is also logged at DEBUG (always redacted).

    Attributes:
        redact: mask sensitive values in what is stored.
        logger: where to log exchanges, if anywhere.
        exchanges: the recorded exchanges, oldest first.
    """

    redact: bool = True
    logger: logging.Logger | None = None
    exchanges: list[CapturedExchange] = field(default_factory=list)

    def record(
        self,
        *,
        method: str,
        url: str,
        request_headers: Mapping[str, str],
        request_body: bytes,
        status_code: int | None,
        response_headers: Mapping[str, str],
        response_body: bytes,
        elapsed: float,
        attempt: int,
        error: str | None = None,
    ) -> CapturedExchange:
        """Render and store one exchange (called by the clients)."""
        exchange = CapturedExchange(
            method=method,
            url=url,
            request_headers=dict(request_headers),
            request_body=render_body(request_headers.get("content-type", ""), request_body),
            status_code=status_code,
            response_headers=dict(response_headers),
            response_body=render_body(response_headers.get("content-type", ""), response_body),
            elapsed=elapsed,
            attempt=attempt,
            error=error,
        )
        redacted = _redacted(exchange)
        self.exchanges.append(redacted if self.redact else exchange)
        if self.logger is not None and self.logger.isEnabledFor(logging.DEBUG):
            self.logger.debug("%s", redacted.format())
        return self.exchanges[-1]

    def clear(self) -> None:
        """Forget the recorded exchanges."""
        self.exchanges.clear()

    def format(self) -> str:
        """Every exchange as text."""
        return "\n\n".join(exchange.format() for exchange in self.exchanges)

    def __str__(self) -> str:
        return self.format()

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        # IPython pretty-printer hook: show the exchanges rather than the dataclass fields.
        text = getattr(printer, "text", None)
        if callable(text):
            text(self.format())


def _redacted(exchange: CapturedExchange) -> CapturedExchange:
    return CapturedExchange(
        method=exchange.method,
        url=redact_text(exchange.url),
        request_headers=redact_headers(exchange.request_headers),
        request_body=redact_text(exchange.request_body),
        status_code=exchange.status_code,
        response_headers=redact_headers(exchange.response_headers),
        response_body=redact_text(exchange.response_body),
        elapsed=exchange.elapsed,
        attempt=exchange.attempt,
        error=None if exchange.error is None else redact_text(exchange.error),
    )
