"""``dmpkit environments``: list the environment profiles and check that one is usable."""

from __future__ import annotations

from pathlib import Path

import click

from dmpkit.transport import TransportConfigError, build_ssl_context
from dmpkit.transport.environments import (
    DmpEnvironment,
    EnvironmentConfigError,
    default_config_path,
    get_environment,
    load_environments,
)

config_option = click.option(
    "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
    help="The environments TOML file (default: $DMPKIT_CONFIG, else "
    "~/.config/dmpkit/environments.toml).",
)


def _identity(environment: DmpEnvironment) -> str:
    transport = environment.transport
    if transport.pkcs12 is not None:
        return f"PKCS#12 {transport.pkcs12}"
    if transport.client_cert is not None:
        return f"PEM {transport.client_cert}"
    return "none"


@click.group()
def environments() -> None:
    """Environment profiles: the local simulator and your remote SI DMPs."""


@environments.command("list")
@config_option
def list_environments(config_path: Path | None) -> None:
    """List every profile with its base URL and client identity."""
    try:
        profiles = load_environments(config_path)
    except EnvironmentConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"profiles file: {config_path or default_config_path()}")
    for name, environment in profiles.items():
        click.echo(f"{name:16} {environment.transport.base_url:45} {_identity(environment)}")


@environments.command("check")
@click.argument("name")
@config_option
def check_environment(name: str, config_path: Path | None) -> None:
    """Load the TLS material of one profile (files, passwords, key/certificate match)."""
    try:
        environment = get_environment(name, config_path)
        build_ssl_context(environment.transport)
    except TransportConfigError as exc:
        raise click.ClickException(str(exc)) from None
    services = environment.service_url("registry").rsplit("/", 1)[0]
    click.echo(f"{name}: TLS material loads; services under {services}")
