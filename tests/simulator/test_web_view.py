"""The web view: documents with metadata, status and confidentiality, rendered document, traces.

The HTML is checked in-process; the browser test loads the page in headless Chromium (skipped,
with the reason, where no Chromium is installed) and keeps a screenshot checked not blank.
"""

from __future__ import annotations

import socket
import struct
import subprocess
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from dmpkit.simulator import Simulator
from dmpkit.simulator.testing import SimClient, hl7_request
from dmpkit.transport import asgi_transport
from dmpkit.xmlparse import parse_xml
from tests.simulator.helpers import ACTIVE

PAGE = f"/si-dmp-server/web/patients/{ACTIVE}"


def _traced_request(client: SimClient) -> None:
    client.call("TD0.2", hl7_request("PRPA_IN201307UV02", "TEST_EXST", ACTIVE), ins=ACTIVE)


def _check_page(html: str, simulator: Simulator) -> None:
    for document in simulator.storage.documents(ACTIVE):
        assert document.title in html
    assert "Approved" in html and "MASQUE_PS" in html and "INVISIBLE_PATIENT" in html
    assert "TD0.2" in html and "899900077985" in html


def test_patient_page_lists_documents_statuses_and_traces(client: SimClient,
                                                          simulator: Simulator) -> None:
    _traced_request(client)
    page = client.http.get(PAGE)
    assert page.status_code == 200
    _check_page(page.text, simulator)
    # well-formed enough for the hardened parser once the doctype is dropped
    table = parse_xml(page.text.split("<table id='documents'>", 1)[1].split("</table>", 1)[0]
                      .join(["<table>", "</table>"]).encode())
    assert len(table.findall("tr")) == len(simulator.storage.documents(ACTIVE)) + 1


def test_document_page_renders_the_content(client: SimClient, simulator: Simulator) -> None:
    document = simulator.storage.documents(ACTIVE)[0]
    page = client.http.get(f"/si-dmp-server/web/documents/{document.entry_uuid}")
    assert page.status_code == 200
    content = simulator.storage.content(document.unique_id) or b""
    assert content.decode().splitlines()[0] in page.text


def test_unknown_patient_page_is_404(simulator: Simulator) -> None:
    with httpx.Client(transport=asgi_transport(simulator, client_cert_pem=None),
                      base_url="https://localhost") as http:
        assert http.get("/si-dmp-server/web/patients/000").status_code == 404


def _png_is_not_blank(data: bytes) -> bool:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat = 8, b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind = data[offset + 4:offset + 8]
        if kind == b"IDAT":
            idat += data[offset + 8:offset + 8 + length]
        offset += 12 + length
    pixels = zlib.decompress(idat)
    return len(set(pixels)) > 16  # a blank page compresses to a handful of byte values


@pytest.fixture
def http_server(simulator: Simulator) -> Iterator[str]:
    """The simulator on plain HTTP on loopback, for the browser (the web view needs no mTLS)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(simulator, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.browser
def test_chromium_shows_documents_and_traces(chromium_path: str, client: SimClient,
                                             simulator: Simulator, http_server: str,
                                             tmp_path: Path) -> None:
    _traced_request(client)
    flags = [chromium_path, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", http_server + PAGE], capture_output=True,
                         timeout=60, check=True, text=True).stdout
    _check_page(dom, simulator)
    shot = tmp_path / "patient.png"
    subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1200,900",
                    http_server + PAGE], capture_output=True, timeout=60, check=True)
    assert _png_is_not_blank(shot.read_bytes())
