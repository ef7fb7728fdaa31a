"""Benchmark the local SI DMP: a TD3.1 search round trip, as a ratio to a bare HTTPS echo.

    .venv/bin/python bench/bench_simulator.py [--requests 200] [--clients 1 16]

Run by hand; prints a table measured in this one run (never asserts timings).

* in-process: the simulator through dmpkit's ASGI transport (no network, no TLS);
* HTTPS: ``dmpkit serve`` in a subprocess on 127.0.0.1, mutual TLS, keep-alive clients;
* baseline: a bare ASGI echo of the very same request bytes, served by uvicorn in a subprocess
  with the same TLS settings (client certificate required, same protocol class).

The request is one signed FindDocuments (VIHF signed once and reused: the server verifies it on
every call, as it would a fresh one). Ratios are mean round-trip time over the echo's, at the
same number of concurrent clients.
"""

from __future__ import annotations

import argparse
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from dmpkit.catalogue import load_catalogue  # noqa: E402
from dmpkit.simulator import create_app, ensure_pki  # noqa: E402
from dmpkit.simulator.server import server_files  # noqa: E402
from dmpkit.simulator.testing import adhoc_query, client_cert_pem  # noqa: E402
from dmpkit.soap import Addressing, build_envelope, serialize  # noqa: E402
from dmpkit.transport import asgi_transport  # noqa: E402
from dmpkit.vihf import InsIdentifier, VihfClaims, VihfSigner  # noqa: E402

INS = "279035121518989"
FIND_DOCUMENTS = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"
APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"


async def echo_app(scope: dict[str, Any], receive: Callable[..., Any],
                   send: Callable[..., Any]) -> None:
    """The baseline: answer the request body as is."""
    if scope["type"] != "http":
        return
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/soap+xml"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def serve_echo(port: int, pki_dir: Path) -> None:
    """Run the echo under uvicorn with the simulator's TLS settings (subprocess mode)."""
    import uvicorn

    from dmpkit.transport import tls_scope_protocol

    files = server_files(pki_dir)
    uvicorn.run(echo_app, host="127.0.0.1", port=port, http=tls_scope_protocol(),
                ssl_certfile=str(files.certificate), ssl_keyfile=str(files.key),
                ssl_ca_certs=str(files.client_ca), ssl_cert_reqs=ssl.CERT_REQUIRED,
                log_level="warning", access_log=False, lifespan="off")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not start")


def request_bytes(pki_dir: Path) -> bytes:
    """One signed TD3.1 FindDocuments envelope."""
    pki = ensure_pki(pki_dir)
    claims = VihfClaims(identifiant_structure=pki.structure.identifiant_structure,
                        resource_id=InsIdentifier(INS), authentification_mode=None)
    assertion = VihfSigner.from_certified_key(pki.sign).sign(claims)
    body = adhoc_query(FIND_DOCUMENTS, {
        "$XDSDocumentEntryPatientId": [f"'{INS}^^^&1.2.250.1.213.1.4.10&ISO^NH'"],
        "$XDSDocumentEntryStatus": [f"('{APPROVED}')"]})
    action = load_catalogue().get("TD3.1").request_action or ""
    return serialize(build_envelope(body, addressing=Addressing(action=action),
                                    security=[assertion]))


def run(clients: int, total: int, make_client: Callable[[], httpx.Client], path: str,
        data: bytes) -> float:
    """Mean round-trip seconds over ``total`` requests spread on ``clients`` threads."""
    per_client = max(1, total // clients)
    durations: list[float] = []
    lock = threading.Lock()
    headers = {"content-type":
               'application/soap+xml; action="urn:ihe:iti:2007:RegistryStoredQuery"'}

    def worker() -> None:
        with make_client() as http:
            http.post(path, content=data, headers=headers)  # warm the connection
            local = []
            for _ in range(per_client):
                start = time.perf_counter()
                reply = http.post(path, content=data, headers=headers)
                local.append(time.perf_counter() - start)
                if reply.status_code != 200:
                    raise SystemExit(f"unexpected status {reply.status_code}: {reply.text[:300]}")
        with lock:
            durations.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(durations) / len(durations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--serve-echo", nargs=2, metavar=("PORT", "PKI"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_echo:
        serve_echo(int(args.serve_echo[0]), Path(args.serve_echo[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        pki_dir = work / "pki"
        pki = ensure_pki(pki_dir)
        files = server_files(pki_dir)
        data = request_bytes(pki_dir)
        path = load_catalogue().service_path("registry")
        sim_port, echo_port = _free_port(), _free_port()
        servers = [
            subprocess.Popen([sys.executable, "-c", "from dmpkit.cli import main; main()",
                              "serve", "--port", str(sim_port), "--db", str(work / "db.sqlite"),
                              "--pki", str(pki_dir)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL),
            subprocess.Popen([sys.executable, __file__, "--serve-echo", str(echo_port),
                              str(pki_dir)]),
        ]
        try:
            _wait(sim_port)
            _wait(echo_port)
            context = ssl.create_default_context(cafile=str(files.ca))
            context.load_cert_chain(str(files.client_certificate), str(files.client_key))
            app = create_app(pki=pki, db_path=work / "inprocess.sqlite")
            identity = client_cert_pem(pki)
            print(f"TD3.1 FindDocuments, {len(data)} request bytes, {args.requests} requests "
                  "per row")
            print(f"{'clients':>7} {'echo ms':>9} {'HTTPS ms':>9} {'in-proc ms':>10} "
                  f"{'HTTPS/echo':>10} {'in-proc/echo':>12}")
            for clients in args.clients:
                echo = run(clients, args.requests, lambda p=echo_port: httpx.Client(
                    base_url=f"https://127.0.0.1:{p}", verify=context), path, data)
                https = run(clients, args.requests, lambda p=sim_port: httpx.Client(
                    base_url=f"https://127.0.0.1:{p}", verify=context, timeout=60), path, data)
                inproc = run(clients, args.requests, lambda: httpx.Client(
                    transport=asgi_transport(app, client_cert_pem=identity),
                    base_url="https://localhost", timeout=60), path, data)
                print(f"{clients:>7} {echo * 1000:>9.2f} {https * 1000:>9.2f} "
                      f"{inproc * 1000:>10.2f} {https / echo:>10.1f} {inproc / echo:>12.1f}")
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)


if __name__ == "__main__":
    main()
