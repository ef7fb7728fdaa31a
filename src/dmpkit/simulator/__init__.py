"""The local SI DMP: a server that enforces the DMP's rules, for offline development and tests.

::

    app = create_app(db_path="dmp.sqlite", pki_dir="pki")      # an ASGI application
    transport = asgi_transport(app, client_cert_pem=...)        # in-process, identity injected

``dmpkit serve`` runs the same application under uvicorn with HTTPS and mutual TLS.
"""

from __future__ import annotations

from pathlib import Path

from dmpkit.pki import TestPki, TrustStore, generate_test_pki, load_pki, write_pki
from dmpkit.simulator.app import Simulator, SimulatorOptions
from dmpkit.simulator.errors import DmpRefusalError, load_error_catalogue
from dmpkit.simulator.seed import load_seed, seed_storage
from dmpkit.simulator.storage import SqliteStorage, Storage

__all__ = [
    "DmpRefusalError",
    "Simulator",
    "SimulatorOptions",
    "create_app",
    "ensure_pki",
    "load_error_catalogue",
    "load_seed",
    "trust_of",
]

P12_PASSWORD = b"dmpkit"


def ensure_pki(folder: str | Path) -> TestPki:
    """The test PKI in ``folder``, created there when absent (``dmpkit pki init`` layout)."""
    path = Path(folder)
    if not (path / "pki.json").is_file():
        write_pki(generate_test_pki(), path, p12_password=P12_PASSWORD)
    return load_pki(path)


def trust_of(pki: TestPki) -> TrustStore:
    """The trust store of a test PKI: its root, with its intermediate."""
    return TrustStore([pki.root.certificate], [pki.intermediate.certificate])


def create_app(*, db_path: str | Path = ":memory:", pki: TestPki | None = None,
               pki_dir: str | Path | None = None, storage: Storage | None = None,
               options: SimulatorOptions | None = None) -> Simulator:
    """A ready simulator: storage opened (and seeded when empty), trust from the test PKI.

    Args:
        db_path: the SQLite file (``:memory:`` for a throw-away database).
        pki: the test PKI whose CA is trusted.
        pki_dir: where to read (or create) the test PKI when ``pki`` is not given.
        storage: another storage backend (then ``db_path`` is ignored).
        options: rule switches.

    Raises:
        ValueError: neither ``pki`` nor ``pki_dir`` given.
    """
    if pki is None:
        if pki_dir is None:
            raise ValueError("create_app needs the test PKI (pki=...) or its folder (pki_dir=...)")
        pki = ensure_pki(pki_dir)
    store = storage or SqliteStorage(db_path)
    if store.is_empty():
        seed_storage(store, load_seed())
    return Simulator(store, trust_of(pki), options=options)
