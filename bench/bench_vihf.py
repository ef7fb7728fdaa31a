"""Benchmark: VIHF sign and verify as a ratio to the raw cryptographic cost (issue item 12).

The raw cost of the same assertion is its exclusive C14N plus one RSA-2048 PKCS#1 v1.5
SHA-256 signature (or verification) with ``cryptography``. dmpkit's sign builds the assertion
from claims, canonicalizes and signs; its verify parses the token bytes with the hardened
parser (also shown without that parse, as the local server verifies the envelope it already
parsed) and runs every check (placement, unique IDs, chain with the cache warm, key usage,
Issuer, dates, comment scan) before reading the claims. signxml on the same assertion is printed
for comparison. Targets: sign ≤ 2×, verify ≤ 4×. All numbers come from this run:

    .venv/bin/python bench/bench_vihf.py [--rounds 50]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from dmpkit import testmode
from dmpkit.pki import TrustStore, generate_test_pki
from dmpkit.vihf import VihfClaims, VihfSigner, VihfVerifier
from dmpkit.xmldsig import C14N_EXCLUSIVE, canonicalize
from dmpkit.xmlparse import parse_xml


def _measure(
    steps: dict[str, Callable[[], object]], rounds: int, batch: int = 10
) -> dict[str, float]:
    """Best per-call time of each step, steps interleaved batch by batch.

    Interleaving spreads any load from other processes over every step alike, so the ratios
    stay meaningful on a busy machine.
    """
    for step in steps.values():
        step()  # warm-up: caches, lazy imports
    best = dict.fromkeys(steps, float("inf"))
    for _ in range(rounds):
        for name, step in steps.items():
            started = time.perf_counter()
            for _ in range(batch):
                step()
            best[name] = min(best[name], (time.perf_counter() - started) / batch)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50, help="batches of 10 calls per step")
    rounds = parser.parse_args().rounds

    os.environ.setdefault("DMPKIT_TEST_KEY_CACHE",
                          str(Path(tempfile.gettempdir()) / "dmpkit-test-keys"))
    testmode.enable(seed=1)
    pki = generate_test_pki()
    signer = VihfSigner.from_certified_key(pki.sign)
    claims = VihfClaims()
    token = etree.tostring(signer.sign(claims))
    verifier = VihfVerifier(TrustStore([pki.root.certificate], [pki.intermediate.certificate]))
    at = testmode.now()
    tree = parse_xml(token)  # verify_parsed leaves the tree as it found it

    # the same assertion, without its signature, as the raw baseline canonicalizes it
    unsigned = parse_xml(token)
    unsigned.remove(unsigned[1])
    key, public_key = pki.sign.key, pki.sign.key.public_key()
    raw_signature = key.sign(canonicalize(unsigned, C14N_EXCLUSIVE), padding.PKCS1v15(),
                             hashes.SHA256())

    def raw_sign() -> None:
        key.sign(canonicalize(unsigned, C14N_EXCLUSIVE), padding.PKCS1v15(), hashes.SHA256())

    def raw_verify() -> None:
        public_key.verify(raw_signature, canonicalize(unsigned, C14N_EXCLUSIVE),
                          padding.PKCS1v15(), hashes.SHA256())

    steps: dict[str, Callable[[], object]] = {
        "raw sign (exc-C14N + RSA-2048)": raw_sign,
        "raw verify (exc-C14N + RSA-2048)": raw_verify,
        "dmpkit sign (claims -> signed)": lambda: signer.sign(claims, check=False),
        "dmpkit sign + value-set check": lambda: signer.sign(claims),
        "dmpkit verify (bytes, chain cached)": lambda: verifier.verify(token, at=at),
        "dmpkit verify (parsed tree)": lambda: verifier.verify_parsed(tree, at=at),
    }
    try:
        from signxml.signer import XMLSigner
        from signxml.verifier import XMLVerifier

        def signxml_sign() -> None:
            XMLSigner(c14n_algorithm=C14N_EXCLUSIVE).sign(
                unsigned, key=key, cert=[pki.sign.certificate])

        def signxml_verify() -> None:
            XMLVerifier().verify(token, x509_cert=pki.sign.certificate)

        steps["signxml sign (same assertion)"] = signxml_sign
        steps["signxml verify (same token)"] = signxml_verify
    except ImportError:
        pass
    results = _measure(steps, rounds)

    sign_base = results["raw sign (exc-C14N + RSA-2048)"]
    verify_base = results["raw verify (exc-C14N + RSA-2048)"]
    print(f"VIHF of {len(token)} bytes, best of {rounds} interleaved batches of 10 calls")
    for name, seconds in results.items():
        base = verify_base if "verify" in name else sign_base
        print(f"  {name:38} {seconds * 1e6:9.0f} µs   {seconds / base:5.2f}× raw")
    print("targets: sign ≤ 2×, verify ≤ 4× (chain checks cached)")


if __name__ == "__main__":
    main()
