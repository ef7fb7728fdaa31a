"""The catalogue drives the client: every supported transaction has a client method (sync and
async), a handler in the local SI DMP, a test and a notebook cell; out-of-scope ones have none.

A failure here names the transaction and what it lacks.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

from dmpkit.catalogue import Scope, Transaction, load_catalogue
from dmpkit.client import AsyncDmpClient, DmpClient
from dmpkit.simulator.app import HANDLERS

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = load_catalogue()
SUPPORTED = CATALOGUE.supported()
JOURNEY_NOTEBOOKS = sorted(p for n in range(6, 11)
                           for p in (REPO / "notebooks").glob(f"{n:02d}_*.ipynb"))


def _ids(transactions: tuple[Transaction, ...]) -> list[str]:
    return [t.id for t in transactions]


def _notebook_code() -> str:
    cells = []
    for path in JOURNEY_NOTEBOOKS:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells += ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    return "\n".join(cells)


@pytest.mark.parametrize("transaction", SUPPORTED, ids=_ids(SUPPORTED))
def test_supported_transaction_has_sync_and_async_methods(transaction: Transaction) -> None:
    method = getattr(DmpClient, transaction.name, None)
    assert callable(method), f"{transaction.id}: DmpClient has no method {transaction.name}"
    assert transaction.td in (method.__doc__ or ""), \
        f"{transaction.id}: the docstring of {transaction.name} does not name {transaction.td}"
    twin = getattr(AsyncDmpClient, transaction.name, None)
    assert twin is not None and inspect.iscoroutinefunction(twin), \
        f"{transaction.id}: AsyncDmpClient has no coroutine {transaction.name}"
    assert inspect.signature(method) == inspect.signature(twin)


@pytest.mark.parametrize("transaction", SUPPORTED, ids=_ids(SUPPORTED))
def test_supported_transaction_has_a_server_handler(transaction: Transaction) -> None:
    assert transaction.id in HANDLERS, (
        f"{transaction.id} ({transaction.name}): the local SI DMP has no handler "
        "(dmpkit.simulator.app.HANDLERS)")


@pytest.mark.parametrize("transaction", SUPPORTED, ids=_ids(SUPPORTED))
def test_supported_transaction_has_a_test_and_a_notebook_cell(transaction: Transaction) -> None:
    tests = "\n".join(p.read_text(encoding="utf-8")
                      for p in (REPO / "tests" / "client").glob("test_client_*.py")
                      if p.name != Path(__file__).name)
    call = f".{transaction.name}("
    assert call in tests, f"{transaction.id}: no test calls {transaction.name}"
    assert call in _notebook_code(), (
        f"{transaction.id}: no cell of notebooks/06..10 calls {transaction.name}")


OUT_OF_SCOPE = tuple(t for t in CATALOGUE.transactions if t.scope is Scope.OUT_OF_SCOPE)


@pytest.mark.parametrize("transaction", OUT_OF_SCOPE, ids=_ids(OUT_OF_SCOPE))
def test_out_of_scope_transaction_is_explained_and_absent(transaction: Transaction) -> None:
    assert transaction.scope_reason
    assert not hasattr(DmpClient, transaction.name)


def test_legacy_transactions_are_out_of_scope() -> None:
    # REFERENCE §10.1: TD0.0 ended in 2023, TD0.9 is a URL, TD1.5a/b/d left the WSDL in 2024.
    for td in ("TD0.0", "TD0.9", "TD1.5a", "TD1.5b", "TD1.5d"):
        assert all(t.scope is Scope.OUT_OF_SCOPE for t in CATALOGUE.by_td(td)), td
