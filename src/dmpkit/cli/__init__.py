"""The ``dmpkit`` command line: a thin shell over the library.

Each command group lives in its own module and is imported only when it runs, so
``dmpkit --help`` stays fast and a group's heavy dependencies load on demand.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from dmpkit import __version__

# command name -> (module, attribute, one-line help); modules are imported lazily.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": ("dmpkit.cli.demo", "demo", "Walk the vendor's journey on a local SI DMP."),
    "feed": ("dmpkit.cli.feed", "feed", "Feed many documents to a DMP, resumably."),
    "environments": (
        "dmpkit.cli.environments", "environments", "List and check SI DMP environment profiles."
    ),
    "valuesets": ("dmpkit.cli.valuesets", "valuesets", "Browse the national value sets (NOS)."),
    "metadata": ("dmpkit.cli.metadata", "metadata", "Validate XDS metadata against DMP rules."),
    "transactions": ("dmpkit.cli.transactions", "transactions",
                     "List the DMP transactions of the catalogue."),
    "serve": ("dmpkit.cli.serve", "serve", "Run the local SI DMP (HTTPS, mutual TLS)."),
    "cda": ("dmpkit.cli.cda", "cda", "Make, validate and render CDA documents."),
    "pki": ("dmpkit.cli.pki", "pki", "Create a local test PKI (modelled on IGC-Santé test)."),
    "vihf": ("dmpkit.cli.vihf", "vihf", "Make, inspect and verify VIHF tokens."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attribute, _ = entry
        command: Any = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module_name}.{attribute} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="dmpkit")
def main() -> None:
    """dmpkit: build, validate and exchange DMP messages, offline."""
