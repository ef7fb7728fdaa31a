"""``dmpkit pki``: create the local test PKI (modelled on IGC-Santé test)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import click

from dmpkit import testmode
from dmpkit.pki import DEFAULT_STRUCTURE, PkiError, Structure, generate_test_pki, write_pki

DEFAULT_PASSWORD_ENV = "DMPKIT_P12_PASSWORD"  # noqa: S105 (a variable name, not a secret)
DEFAULT_TEST_PASSWORD = "dmpkit-test"  # noqa: S105 (documented password of TEST material)


@click.group()
def pki() -> None:
    """Create and describe a local test PKI (modelled on IGC-Santé test)."""


@pki.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--structure-id", default=DEFAULT_STRUCTURE.identifiant_structure,
              show_default=True, help="Identifiant_Structure (Struct_IdNat, 1+FINESS): the OU.")
@click.option("--finess", default=None, help="FINESS (default: the structure id without its "
              "leading 1).")
@click.option("--name", "structure_name", default=DEFAULT_STRUCTURE.name, show_default=True,
              help="Structure name: the O of the ORG certificates.")
@click.option("--state", default=DEFAULT_STRUCTURE.state, show_default=True,
              help="The ST attribute of the ORG certificates.")
@click.option("--p12-password-env", default=DEFAULT_PASSWORD_ENV, show_default=True,
              help="Environment variable holding the PKCS#12 password (if unset: the "
              f"documented test password {DEFAULT_TEST_PASSWORD!r}).")
@click.option("--seeded", is_flag=True,
              help="Derive reproducible keys from a public seed (INSECURE, tests only); "
              "implied by DMPKIT_TEST_MODE.")
@click.option("--force", is_flag=True, help="Write into a non-empty folder.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def init(folder: Path, structure_id: str, finess: str | None, structure_name: str, state: str,
         p12_password_env: str, seeded: bool, force: bool, as_json: bool) -> None:
    """Create a test PKI in FOLDER.

    \b
    Layout:
      pki.json                        structure (Identifiant_Structure, FINESS, name), file map
      ca/root.pem                     trust anchor
      ca/intermediate.pem             issuing CA
      ca/chain.pem                    intermediate then root
      org/auth_cli.{pem,key.pem,p12}  ORG AUTH_CLI: TLS client (digitalSignature, clientAuth)
      org/sign.{pem,key.pem,p12}      ORG SIGN: VIHF/XAdES signature (nonRepudiation)
      server/localhost.{pem,key.pem}  TLS server certificate for localhost
      variants/expired-sign.*         an expired ORG SIGN
      variants/foreign-ca/*           a CA nobody trusts (with its key) and an ORG SIGN
                                      look-alike it issued
    """
    if folder.exists() and any(folder.iterdir()) and not force:
        raise click.ClickException(f"{folder} is not empty (use --force to write into it)")
    password = os.environ.get(p12_password_env) or DEFAULT_TEST_PASSWORD
    structure = Structure(structure_id, finess or structure_id.removeprefix("1"),
                          structure_name, state)
    try:
        generated = generate_test_pki(structure, deterministic=seeded or testmode.is_enabled())
        written = write_pki(generated, folder, p12_password=password.encode("utf-8"))
    except (PkiError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    files = [str(path) for path in written]
    if as_json:
        click.echo(json.dumps({"folder": str(folder), "structure": asdict(structure),
                               "files": files}, indent=2, ensure_ascii=False))
        return
    click.echo(f"Test PKI for {structure.name} (Identifiant_Structure "
               f"{structure.identifiant_structure}) written to {folder}:")
    for path in files:
        click.echo(f"  {path}")
    source = "from $" + p12_password_env if os.environ.get(p12_password_env) else \
        "the default test password"
    click.echo(f"PKCS#12 password: {source}.")
