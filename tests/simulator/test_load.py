"""A bounded load test over HTTPS: concurrent clients mixing feed and search, no error, no loss."""

from __future__ import annotations

import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from dmpkit.pki import TestPki
from dmpkit.simulator import Simulator
from dmpkit.simulator.seed import load_seed
from dmpkit.simulator.server import server_files
from dmpkit.simulator.testing import SimClient, adhoc_query, provide_and_register
from tests.simulator.helpers import FIND_DOCUMENTS, body_of, find_documents_query, xpath

CLIENTS = 6
ROUNDS = 4
INS = load_seed().patient("empty").ins


@pytest.mark.slow
def test_concurrent_feed_and_search_without_error_or_loss(
        https_server: tuple[str, Simulator], sim_pki_dir: Path, sim_pki: TestPki) -> None:
    base_url, simulator = https_server
    files = server_files(sim_pki_dir)
    context = ssl.create_default_context(cafile=str(files.ca))
    context.load_cert_chain(str(files.client_certificate), str(files.client_key))

    def worker(index: int) -> tuple[list[str], int]:
        fed: list[str] = []
        errors = 0
        with httpx.Client(base_url=base_url, verify=context, timeout=60) as http:
            client = SimClient.for_pki(sim_pki, http)
            for round_ in range(ROUNDS):
                prefix = f"1.2.250.1.999.7.{index}.{round_}"
                body = provide_and_register(sim_pki, INS, [(f"load {index}.{round_}", b"x")],
                                            unique_prefix=prefix)
                status = body_of(client.call("TD2.1", body, ins=INS)).get("status", "")
                if status.endswith(":Success"):
                    fed.append(f"{prefix}.1")
                else:
                    errors += 1
                found = client.call("TD3.1", adhoc_query(FIND_DOCUMENTS,
                                                         find_documents_query(INS)), ins=INS)
                if not body_of(found).get("status", "").endswith(":Success"):
                    errors += 1
        return fed, errors

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(worker, range(CLIENTS)))
    elapsed = time.perf_counter() - started
    assert sum(errors for _, errors in results) == 0
    fed = [unique_id for unique_ids, _ in results for unique_id in unique_ids]
    assert len(fed) == CLIENTS * ROUNDS
    for unique_id in fed:
        assert simulator.storage.documents_by_unique_id(unique_id), unique_id
    # and a search sees every one of them
    with httpx.Client(base_url=base_url, verify=context, timeout=60) as http:
        found = body_of(SimClient.for_pki(sim_pki, http).call(
            "TD3.1", adhoc_query(FIND_DOCUMENTS, find_documents_query(INS)), ins=INS))
    listed = set(xpath(found, "//rim:ExternalIdentifier[@identificationScheme="
                              "'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab']/@value"))
    assert set(fed) <= listed
    print(f"load: {CLIENTS} clients x {ROUNDS} (feed + search) = {2 * CLIENTS * ROUNDS} requests "
          f"in {elapsed:.1f} s, 0 errors, {len(fed)} documents fed and found")
