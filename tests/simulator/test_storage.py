"""SQLite storage: survives restarts, one transaction is all-or-nothing, the seed covers §10.6."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmpkit.pki import TestPki
from dmpkit.simulator import create_app
from dmpkit.simulator.seed import load_seed
from dmpkit.simulator.storage import AuthorisationRecord, AuthorisationStatus, SqliteStorage
from dmpkit.vihf.ins import ins_problems


def test_seed_covers_the_prepared_states_with_valid_test_ins() -> None:
    seed = load_seed()
    states = {p.state for p in seed.patients}
    # REFERENCE §10.6: the CNDA's prepared states
    for wanted in ("absent", "empty", "active with documents", "closed",
                   "attached to Mon espace santé", "oppositions to bris de glace and centre 15",
                   "patient who does not authorise", "blocked and expired authorisations",
                   "patient-authored documents", "a minor (connexion secrète)", "demo INS OID"):
        assert wanted in states
    for patient in seed.patients:
        assert ins_problems(patient.ins, patient.ins_oid) == [], patient
    assert {p.ins_oid for p in seed.patients} == {"1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11"}


def test_database_survives_a_restart_and_is_seeded_once(tmp_path: Path, sim_pki: TestPki
                                                        ) -> None:
    path = tmp_path / "dmp.sqlite"
    first = create_app(db_path=path, pki=sim_pki)
    first.storage.save_authorisation(AuthorisationRecord(
        "185077512345608", "899900099999", AuthorisationStatus.VALIDE, "2025-01-01T00:00:00+00:00"))
    counts = first.storage.counts()
    first.storage.close()
    again = create_app(db_path=path, pki=sim_pki)
    assert again.storage.counts() == counts
    assert again.storage.authorisation("185077512345608", "899900099999") is not None
    assert (path.parent / "dmp.sqlite-wal").exists() or path.exists()


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path / "atomic.sqlite")
    with pytest.raises(RuntimeError), storage.atomic():
        storage.save_authorisation(AuthorisationRecord("1", "2", AuthorisationStatus.VALIDE,
                                                       "2025-01-01T00:00:00+00:00"))
        raise RuntimeError("crash in the middle of a submission")
    assert storage.authorisations("1") == []
