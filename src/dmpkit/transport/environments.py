"""Environment profiles: the built-in ``local`` simulator and user-configured remote SI DMPs.

Remote environments are user configuration in TOML (``$DMPKIT_CONFIG``, else
``~/.config/dmpkit/environments.toml``)::

    [environments.dv1]
    base_url = "https://lps.dev1.dmp.gouv.fr"
    pkcs12 = "~/certs/EL-TEST-ORG-AUTH_CLI.p12"
    pkcs12_password_env = "DMPKIT_DV1_P12_PASSWORD"
    ca_bundle = "~/certs/igc-sante-test-ac.pem"
    read_timeout = 60

Passwords never live in the file: a profile names the environment variable that holds one.
No remote URL is built in: known public URLs are documented as examples only.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dmpkit.transport._config import DMP_SERVICES, SERVICE_ROOT, RetryPolicy, TransportConfig
from dmpkit.transport._errors import TransportConfigError

__all__ = [
    "CONFIG_ENV",
    "LOCAL",
    "DmpEnvironment",
    "EnvironmentConfigError",
    "default_config_path",
    "get_environment",
    "load_environments",
    "local_environment",
]

CONFIG_ENV = "DMPKIT_CONFIG"
LOCAL = "local"
_PATH_FIELDS = ("client_cert", "client_key", "pkcs12", "ca_bundle")
_TEXT_FIELDS = ("base_url", "key_password_env", "pkcs12_password_env", "description")
_NUMBER_FIELDS = ("connect_timeout", "read_timeout", "write_timeout", "pool_timeout")
_RETRY_FIELDS = ("max_attempts", "backoff_initial", "backoff_factor", "backoff_max")
_SECRET_FIELDS = ("password", "pkcs12_password", "key_password", "private_key")


class EnvironmentConfigError(TransportConfigError):
    """The environments file, or one profile in it, is invalid."""


@dataclass(frozen=True, slots=True)
class DmpEnvironment:
    """One named environment: how to reach a SI DMP.

    Attributes:
        name: the profile name (``local`` is the embedded simulator).
        transport: the transport settings.
        description: free text from the profile.
        source: the file the profile came from (``None`` for built-ins).
    """

    name: str
    transport: TransportConfig
    description: str = ""
    source: Path | None = None

    def service_url(self, service: str) -> str:
        """The full endpoint URL of one service in this environment."""
        if service not in DMP_SERVICES:
            raise EnvironmentConfigError(f"unknown DMP service {service!r}")
        return f"{self.transport.base_url.rstrip('/')}{SERVICE_ROOT}/{service}"


def local_environment(port: int | None = None) -> DmpEnvironment:
    """The built-in profile of the embedded simulator.

    Args:
        port: the loopback HTTPS port the simulator listens on; ``None`` for in-process use
            (pass an :func:`~dmpkit.transport.asgi_transport` to the client).
    """
    base_url = "https://127.0.0.1" if port is None else f"https://127.0.0.1:{port}"
    return DmpEnvironment(
        LOCAL,
        TransportConfig(base_url=base_url, read_timeout=30.0),
        description="embedded SI DMP simulator (in-process or loopback HTTPS)",
    )


def default_config_path() -> Path:
    """``$DMPKIT_CONFIG``, else ``$XDG_CONFIG_HOME/dmpkit/environments.toml`` (``~/.config``)."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit).expanduser()
    root = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(root) / "dmpkit" / "environments.toml"


def _profile(name: str, table: Any, source: Path) -> DmpEnvironment:
    where = f"{source.name} [environments.{name}]"
    if not isinstance(table, dict):
        raise EnvironmentConfigError(f"{where} must be a table")
    secrets = [key for key in table if key in _SECRET_FIELDS]
    if secrets:
        raise EnvironmentConfigError(
            f"{where} stores {secrets[0]!r}: never put secrets in the file, name the environment "
            "variable instead (pkcs12_password_env / key_password_env)"
        )
    known = {*_PATH_FIELDS, *_TEXT_FIELDS, *_NUMBER_FIELDS, "check_hostname", "retries"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise EnvironmentConfigError(f"{where}: unknown keys {unknown}; allowed: {sorted(known)}")
    if "base_url" not in table:
        raise EnvironmentConfigError(f"{where} has no base_url")
    settings: dict[str, Any] = {}
    for key in _TEXT_FIELDS:
        if key in table:
            if not isinstance(table[key], str):
                raise EnvironmentConfigError(f"{where}: {key} must be a string")
            settings[key] = table[key]
    for key in _PATH_FIELDS:
        if key in table:
            if not isinstance(table[key], str):
                raise EnvironmentConfigError(f"{where}: {key} must be a path string")
            path = Path(table[key]).expanduser()
            # Relative paths are relative to the configuration file, not the working directory.
            settings[key] = path if path.is_absolute() else source.parent / path
    for key in _NUMBER_FIELDS:
        if key in table:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise EnvironmentConfigError(f"{where}: {key} must be a number of seconds")
            settings[key] = float(value)
    if "check_hostname" in table:
        if not isinstance(table["check_hostname"], bool):
            raise EnvironmentConfigError(f"{where}: check_hostname must be true or false")
        settings["check_hostname"] = table["check_hostname"]
    if "retries" in table:
        settings["retries"] = _retries(table["retries"], where)
    description = settings.pop("description", "")
    try:
        transport = TransportConfig(**settings)
    except TransportConfigError as exc:
        raise EnvironmentConfigError(f"{where}: {exc}") from None
    return DmpEnvironment(name, transport, description, source)


def _retries(table: Any, where: str) -> RetryPolicy:
    if not isinstance(table, dict):
        raise EnvironmentConfigError(f"{where}: retries must be a table")
    unknown = sorted(set(table) - {*_RETRY_FIELDS, "retry_on_status"})
    if unknown:
        raise EnvironmentConfigError(f"{where}: unknown retries keys {unknown}")
    values: dict[str, Any] = {}
    for key in _RETRY_FIELDS:
        if key in table:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise EnvironmentConfigError(f"{where}: retries.{key} must be a number")
            values[key] = int(value) if key == "max_attempts" else float(value)
    if "retry_on_status" in table:
        statuses = table["retry_on_status"]
        if not isinstance(statuses, list) or not all(isinstance(s, int) for s in statuses):
            raise EnvironmentConfigError(f"{where}: retries.retry_on_status must list integers")
        values["retry_on_status"] = frozenset(statuses)
    try:
        return RetryPolicy(**values)
    except TransportConfigError as exc:
        raise EnvironmentConfigError(f"{where}: {exc}") from None


def load_environments(path: Path | None = None) -> dict[str, DmpEnvironment]:
    """Every environment: ``local`` plus the profiles of the TOML file (if it exists).

    Args:
        path: the TOML file; :func:`default_config_path` if ``None``.

    Raises:
        EnvironmentConfigError: the file is not valid TOML, or a profile is invalid.
    """
    environments = {LOCAL: local_environment()}
    source = path if path is not None else default_config_path()
    if not source.is_file():
        if path is not None:
            raise EnvironmentConfigError(f"environments file {source} does not exist")
        return environments
    try:
        document = tomllib.loads(source.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise EnvironmentConfigError(f"{source.name} is not valid TOML: {exc}") from None
    unknown = sorted(set(document) - {"environments"})
    if unknown:
        raise EnvironmentConfigError(f"{source.name}: unknown top-level keys {unknown}")
    tables = document.get("environments", {})
    if not isinstance(tables, dict):
        raise EnvironmentConfigError(f"{source.name}: [environments] must be a table")
    for name, table in tables.items():
        if name == LOCAL:
            raise EnvironmentConfigError(f"{source.name}: the name {LOCAL!r} is reserved")
        environments[name] = _profile(name, table, source)
    return environments


def get_environment(name: str, path: Path | None = None) -> DmpEnvironment:
    """One environment by name.

    Raises:
        EnvironmentConfigError: no such profile (the message lists the known ones).
    """
    environments = load_environments(path)
    try:
        return environments[name]
    except KeyError:
        raise EnvironmentConfigError(
            f"no environment {name!r}; known: {sorted(environments)} "
            f"(profiles come from {path or default_config_path()})"
        ) from None
