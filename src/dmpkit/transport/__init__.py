"""The HTTP layer: SOAP messages to the SI DMP over mutual TLS, or to the local server in-process.

One client API, two paths chosen by one constructor argument: the real network
(``httpx`` with an ``ssl.SSLContext`` carrying the ORG AUTH_CLI identity, TLS ≥ 1.2) or an
in-process ASGI app (:func:`asgi_transport`, sync and async). Retries apply to idempotent
transactions only. :class:`WireCapture` records exchanges for notebooks, redacted.
"""

from __future__ import annotations

from dmpkit.transport._asgi import AsgiTransport, asgi_transport, tls_extension
from dmpkit.transport._capture import CapturedExchange, WireCapture, render_body
from dmpkit.transport._client import (
    AsyncSoapHttpClient,
    HttpReply,
    SoapHttpClient,
    content_type_with_action,
)
from dmpkit.transport._config import (
    DMP_SERVICES,
    SERVICE_ROOT,
    RetryPolicy,
    TransportConfig,
    service_url,
)
from dmpkit.transport._errors import (
    TransportConfigError,
    TransportConnectError,
    TransportError,
    TransportProtocolError,
    TransportTimeoutError,
    TransportTlsError,
)
from dmpkit.transport._redact import RedactingFilter, redact_headers, redact_text
from dmpkit.transport._tls import DMP_TLS12_CIPHERS, build_ssl_context
from dmpkit.transport._uvicorn_tls import tls_scope_protocol

__all__ = [
    "DMP_SERVICES",
    "DMP_TLS12_CIPHERS",
    "SERVICE_ROOT",
    "AsgiTransport",
    "AsyncSoapHttpClient",
    "CapturedExchange",
    "HttpReply",
    "RedactingFilter",
    "RetryPolicy",
    "SoapHttpClient",
    "TransportConfig",
    "TransportConfigError",
    "TransportConnectError",
    "TransportError",
    "TransportProtocolError",
    "TransportTimeoutError",
    "TransportTlsError",
    "WireCapture",
    "asgi_transport",
    "build_ssl_context",
    "content_type_with_action",
    "redact_headers",
    "redact_text",
    "render_body",
    "service_url",
    "tls_extension",
    "tls_scope_protocol",
]
