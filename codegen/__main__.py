"""``python -m codegen``: the command line, a thin shell over the codegen modules."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import click
import httpx

from codegen import paths
from codegen.errors import EXIT_MISMATCH, CodegenError

P = ParamSpec("P")
R = TypeVar("R")

DOWNLOAD_TIMEOUT_SECONDS = 60.0

specs_option = click.option(
    "--specs", "specs", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Spec store folder (default: $DMPKIT_SPECS, else the user cache dmpkit/specs).",
)


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _fail_cleanly(function: Callable[P, R]) -> Callable[P, R]:
    """Turn an expected failure into one line on stderr and its exit code."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except CodegenError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:
            # A file system failure (permissions, full disk) is expected, not a bug.
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_MISMATCH)

    return wrapper


@click.group()
def main() -> None:
    """Fetch the pinned public specs and generate dmpkit's bindings."""


@main.command()
@specs_option
@click.option("--from", "source", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Local public spec folder (default: ../shared/specs if present).")
@click.option("--offline", is_flag=True, help="Never download; fail on a file missing locally.")
@click.option("--dmp-package", "dmp_package", default=None, metavar="DIR|none",
              help="Official DMP package folder whose XSDs replace the project's reconstructed "
                   "schemas (remembered by the store); `none` goes back to the reconstructions.")
@_fail_cleanly
def fetch(specs: Path | None, source: Path | None, offline: bool,
          dmp_package: str | None) -> None:
    """Fill the spec store, verifying every file against specs/manifest.toml."""
    from codegen.errors import DownloadError, UsageError
    from codegen.fetch import UpstreamDownloader
    from codegen.fetch import fetch as run_fetch
    from codegen.manifest import load_manifest

    if source is not None and not source.is_dir():
        raise UsageError(f"--from {source}: no such folder")
    local = source if source is not None else paths.default_local_source()
    store = paths.resolve_store_dir(specs)
    package = _chosen_dmp_package(dmp_package, store)
    manifest = load_manifest(paths.SPECS_DIR)
    clients: list[httpx.Client] = []
    loaders: list[UpstreamDownloader] = []

    def downloader() -> UpstreamDownloader:
        if offline:
            raise DownloadError("a file is missing from the local source and --offline is set")
        if not loaders:
            _progress("fetch: downloading missing files from upstream")
            clients.append(httpx.Client(timeout=DOWNLOAD_TIMEOUT_SECONDS, follow_redirects=True))
            loaders.append(UpstreamDownloader(clients[0]))
        return loaders[0]

    try:
        report = run_fetch(
            manifest, store, local_source=local,
            project_schemas=paths.SPECS_DIR / manifest.project_schemas,
            downloader=downloader, progress=_progress, dmp_package=package,
        )
    finally:
        for client in clients:
            client.close()
    if report.dmp_package is not None:
        for line in report.dmp_package.lines():
            click.echo(line, err=line.startswith("warning:"))
    click.echo(f"spec store {store}: {len(manifest.files)} files verified ({report.summary()})")
    _announce_dmp_package(store)


def _chosen_dmp_package(option: str | None, store: Path) -> Path | None:
    """The package folder for this fetch: the option, else the one the store remembers."""
    from codegen.dmp_package import NO_PACKAGE
    from codegen.errors import UsageError
    from codegen.store import read_dmp_package

    if option is not None:
        return None if option.strip().lower() == NO_PACKAGE else Path(option).expanduser()
    remembered = read_dmp_package(store)
    if remembered is None:
        return None
    folder = Path(str(remembered["path"]))
    if not folder.is_dir():
        raise UsageError(f"the spec store remembers the official DMP package {folder}, which is "
                         "gone: pass --dmp-package DIR, or --dmp-package none for the "
                         "project's reconstructions")
    click.echo(f"fetch: keeping the official DMP package {folder} "
               f"(--dmp-package {NO_PACKAGE} goes back to the reconstructions)", err=True)
    return folder


def _announce_dmp_package(store: Path) -> None:
    """Say so when the store's DMP schemas come from an official package."""
    from codegen.store import describe_dmp_package

    line = describe_dmp_package(store)
    if line is not None:
        click.echo(f"note: {line}", err=True)


@main.command()
@click.option("--from", "source", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Public spec folder holding MANIFEST.json and MANIFEST-fr.json.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder to write the TOML files to (default: specs/).")
@_fail_cleanly
def manifest(source: Path | None, out: Path | None) -> None:
    """Write specs/manifest.toml and specs/manifest-files.toml from the public spec folder."""
    from codegen.errors import UsageError
    from codegen.manifest import build_manifest, write_manifest

    folder = source if source is not None else paths.default_local_source()
    if folder is None or not folder.is_dir():
        raise UsageError("no public spec folder: pass --from DIR")
    built = build_manifest(folder)
    target = out if out is not None else paths.SPECS_DIR
    write_manifest(built, target)
    click.echo(f"wrote {target}: {len(built.files)} file records")


@main.command()
@specs_option
@click.option("--accept", is_flag=True,
              help="Re-pin the checksums of changed store files in specs/manifest*.toml.")
@_fail_cleanly
def regen(specs: Path | None, accept: bool) -> None:
    """Verify the store against the manifest, then regenerate generated/dmpkit_bindings."""
    from codegen.generators import load_generators
    from codegen.manifest import load_manifest
    from codegen.regen import regenerate, verify_or_accept

    store = paths.resolve_store_dir(specs)
    _announce_dmp_package(store)
    generators = load_generators()  # before accepting: a missing generator changes nothing
    accepted = verify_or_accept(load_manifest(paths.SPECS_DIR), store, paths.SPECS_DIR,
                                accept=accept)
    for mismatch in accepted:
        click.echo(f"accepted {mismatch.path}: sha256 {mismatch.expected} -> {mismatch.actual}")
    difference = regenerate(store, paths.GENERATED_ROOT, generators)
    for line in difference.lines():
        click.echo(line)
    click.echo(f"regenerated {paths.GENERATED_ROOT}: {len(difference.lines())} file(s) changed")


@main.command()
@specs_option
@_fail_cleanly
def check(specs: Path | None) -> None:
    """Fail (exit 1) when the committed generated code differs from a fresh generation."""
    from codegen.check import check_generated
    from codegen.errors import DriftError
    from codegen.generators import load_generators
    from codegen.manifest import load_manifest
    from codegen.regen import verify_or_accept
    from codegen.store import describe_dmp_package

    store = paths.resolve_store_dir(specs)
    package = describe_dmp_package(store)
    _announce_dmp_package(store)
    verify_or_accept(load_manifest(paths.SPECS_DIR), store, paths.SPECS_DIR, accept=False)
    difference = check_generated(store, paths.GENERATED_ROOT, load_generators())
    if difference:
        for line in difference.lines():
            click.echo(line)
        if package is not None:
            # The committed bindings follow the reconstructions; the vendor's follow the package.
            raise DriftError(
                f"{len(difference.lines())} generated file(s) differ from "
                f"generated/dmpkit_bindings: expected, {package}; run `python -m codegen "
                "regen` to generate bindings from it (or `fetch --dmp-package none`)"
            )
        raise DriftError(
            f"{len(difference.lines())} generated file(s) drifted from the committed "
            "generated/dmpkit_bindings; run `python -m codegen regen` and commit"
        )
    click.echo("generated/dmpkit_bindings is up to date")


@main.command()
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write PREFIX.md and PREFIX.json (default: markdown on stdout).")
@_fail_cleanly
def diff(old: Path, new: Path, out: Path | None) -> None:
    """Report declarations, fields and enumeration values changed from OLD to NEW.

    OLD and NEW are two spec folders or two schema files. Exits 0 whether or not they
    differ: the report is for review.
    """
    from codegen.diff import diff_paths, render_markdown, write_report

    report = diff_paths(old, new)
    if out is None:
        click.echo(render_markdown(report), nl=False)
        return
    markdown, document = write_report(report, out)
    state = "no schema changes" if report.is_empty() else "schema changes found"
    click.echo(f"{state}: wrote {markdown} and {document}")


if __name__ == "__main__":
    main()
