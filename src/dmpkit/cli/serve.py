"""``dmpkit serve``: the local SI DMP over HTTPS with mutual TLS."""

from __future__ import annotations

from pathlib import Path

import click

from dmpkit.catalogue import load_catalogue


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8443, show_default=True, type=int, help="TCP port.")
@click.option("--db", "db_path", default="dmpkit-dmp.sqlite", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite database (created and seeded when absent).")
@click.option("--pki", "pki_dir", default="dmpkit-pki", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Test PKI folder (a fresh one is created when absent).")
def serve(host: str, port: int, db_path: Path, pki_dir: Path) -> None:
    """Run the local SI DMP (HTTPS, client certificate required) until interrupted."""
    from dmpkit.simulator.server import build_server, server_files

    server, _ = build_server(pki_dir=pki_dir, db_path=db_path, host=host, port=port,
                             log_level="info")
    files = server_files(pki_dir)
    base = load_catalogue().base_path
    click.echo(f"SI DMP local: https://{host}:{port}{base}/{{patients,registry,...}}")
    click.echo(f"web view:     https://{host}:{port}/si-dmp-server/web/")
    click.echo(f"client cert:  {files.client_certificate} (key {files.client_key})")
    click.echo(f"server CA:    {files.ca}")
    server.run()
