"""Server side of the TLS seam: make uvicorn report the peer certificate in the ASGI scope.

uvicorn does not fill the ASGI TLS extension. :func:`tls_scope_protocol` returns an h11
protocol class that does, so an app sees the same ``scope["extensions"]["tls"]`` over real
HTTPS on loopback as through :func:`~dmpkit.transport.asgi_transport` in-process.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from dmpkit.transport._asgi import AsgiApp, tls_extension, with_tls_scope

__all__ = ["TLS_VERSIONS", "tls_scope_protocol"]

TLS_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}


def tls_scope_protocol() -> type[asyncio.Protocol]:
    """An uvicorn ``http=`` protocol class that injects the peer certificate per connection."""
    from uvicorn.protocols.http.h11_impl import H11Protocol  # the server extra is optional

    class TlsScopeH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            ssl_object: ssl.SSLObject | None = transport.get_extra_info("ssl_object")
            if ssl_object is None:
                return
            leaf = ssl_object.getpeercert(binary_form=True)
            pem = ssl.DER_cert_to_PEM_cert(leaf).encode("ascii") if leaf else None
            extension: dict[str, Any] = tls_extension(
                pem, tls_version=TLS_VERSIONS.get(ssl_object.version() or "")
            )
            app: AsgiApp = self.app
            self.app = with_tls_scope(app, extension)

    return TlsScopeH11Protocol
