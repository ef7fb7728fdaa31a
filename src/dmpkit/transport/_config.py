"""Transport settings: where the SI DMP is, which identity to present, how long to wait."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dmpkit import testmode
from dmpkit.transport._errors import TransportConfigError

__all__ = ["DMP_SERVICES", "SERVICE_ROOT", "RetryPolicy", "TransportConfig", "service_url"]

# REFERENCE §1.2: every SI DMP web service lives under this path.
SERVICE_ROOT = "/si-dmp-server/v2/services"
DMP_SERVICES = frozenset(
    {
        "patients",
        "patientsSpecific",
        "patientCertif",
        "patientsPDQ",
        "habilitations",
        "registry",
        "repository",
    }
)
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries with exponential backoff, applied to idempotent transactions only.

    Attributes:
        max_attempts: total attempts including the first (1 disables retries).
        backoff_initial: delay before the second attempt, in seconds.
        backoff_factor: multiplier between successive delays.
        backoff_max: upper bound of one delay (also caps a server's ``Retry-After``).
        retry_on_status: HTTP statuses that mean "try again later".
    """

    max_attempts: int = 3
    backoff_initial: float = 0.5
    backoff_factor: float = 2.0
    backoff_max: float = 5.0
    retry_on_status: frozenset[int] = frozenset({503})

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise TransportConfigError("retries.max_attempts must be at least 1")
        if self.backoff_initial < 0 or self.backoff_max < 0 or self.backoff_factor < 1:
            raise TransportConfigError("retry backoff values must be >= 0 (factor >= 1)")

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based), with jitter.

        The jitter comes from :func:`dmpkit.testmode.rng`, so it is reproducible in test mode.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.backoff_max)
        base = min(self.backoff_max, self.backoff_initial * self.backoff_factor ** (attempt - 1))
        return base * (0.5 + testmode.rng().random() / 2)


@dataclass(frozen=True, slots=True)
class TransportConfig:
    """How to reach one SI DMP (or the local simulator) over HTTPS.

    The client identity is the structure's ORG AUTH_CLI certificate (REFERENCE §1.4): either a
    PEM certificate (+ key) or a PKCS#12 file. Passwords are never stored here: only the name
    of the environment variable that holds them.

    Attributes:
        base_url: scheme, host and port, e.g. ``https://lps.dev1.dmp.gouv.fr``.
        client_cert: PEM file with the client certificate (and chain).
        client_key: PEM private key file, when not inside ``client_cert``.
        key_password_env: environment variable holding the PEM key password, if encrypted.
        pkcs12: PKCS#12 file with key and certificate (alternative to PEM files).
        pkcs12_password_env: environment variable holding the PKCS#12 password.
        ca_bundle: PEM trust anchors for the server (IGC Santé ACs); system store if absent.
        check_hostname: verify the server name against its certificate.
        connect_timeout: seconds to open the TCP+TLS connection.
        read_timeout: seconds to wait for response bytes.
        write_timeout: seconds to send request bytes.
        pool_timeout: seconds to wait for a free connection.
        retries: the retry policy for idempotent transactions.
    """

    base_url: str
    client_cert: Path | None = None
    client_key: Path | None = None
    key_password_env: str | None = None
    pkcs12: Path | None = None
    pkcs12_password_env: str | None = None
    ca_bundle: Path | None = None
    check_hostname: bool = True
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    write_timeout: float = 60.0
    pool_timeout: float = 10.0
    retries: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in {"https", "http"} or not parts.hostname:
            raise TransportConfigError(f"base_url {self.base_url!r} must be https://host[:port]")
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
            raise TransportConfigError(
                f"base_url {self.base_url!r}: plain http is only allowed on loopback"
            )
        if parts.path not in {"", "/"} or parts.query or parts.fragment:
            raise TransportConfigError(
                f"base_url {self.base_url!r} must not carry a path: services are under "
                f"{SERVICE_ROOT}"
            )
        if self.pkcs12 is not None and self.client_cert is not None:
            raise TransportConfigError("give either pkcs12 or client_cert, not both")
        if self.client_key is not None and self.client_cert is None:
            raise TransportConfigError("client_key needs client_cert")
        timeouts = (self.connect_timeout, self.read_timeout, self.write_timeout, self.pool_timeout)
        if min(timeouts) <= 0:
            raise TransportConfigError("timeouts must be positive numbers of seconds")

    @property
    def has_client_identity(self) -> bool:
        """Whether a client certificate is configured."""
        return self.client_cert is not None or self.pkcs12 is not None


def service_url(base_url: str, service: str) -> str:
    """The endpoint of one DMP service: ``{base_url}/si-dmp-server/v2/services/{service}``.

    Raises:
        TransportConfigError: ``service`` is not a known SI DMP service name.
    """
    if service not in DMP_SERVICES:
        raise TransportConfigError(
            f"unknown DMP service {service!r}; known services: {sorted(DMP_SERVICES)}"
        )
    return f"{base_url.rstrip('/')}{SERVICE_ROOT}/{service}"
