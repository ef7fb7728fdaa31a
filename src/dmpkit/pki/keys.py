"""RSA keys: real ones from ``cryptography``, reproducible ones for tests.

A *deterministic* key is derived from a seed and a label with an HMAC-DRBG (SHA-256) feeding
a Miller-Rabin prime search. Anyone who knows the seed knows the key: it exists only so that a
test PKI, and every signature made with it, is byte-identical across runs. It is refused unless
test mode (:mod:`dmpkit.testmode`) is on or the caller passes ``allow_insecure=True``.

Deriving a key costs about a second of pure-Python prime search. When the environment variable
``DMPKIT_TEST_KEY_CACHE`` names a folder, derived keys are kept there as PEM files named by a
hash of (seed, label, size, derivation version), so test suites pay that cost once.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from dmpkit import testmode
from dmpkit.pki.errors import DeterministicKeyRefusedError

__all__ = ["PUBLIC_EXPONENT", "deterministic_rsa_key", "new_rsa_key"]

PUBLIC_EXPONENT = 65537
_SIEVE_LIMIT = 20000
_SMALL_PRIMES = [p for p in range(3, _SIEVE_LIMIT, 2)
                 if all(p % d for d in range(3, int(p**0.5) + 1, 2))]
_SMALL_PRIMES_PRODUCT = math.prod(_SMALL_PRIMES)
# FIPS 186-4 table C.2: 5 Miller-Rabin rounds for random 1024-bit primes (error < 2**-100)
_MILLER_RABIN_ROUNDS = 5


class _HmacDrbg:
    """NIST SP 800-90A HMAC_DRBG with SHA-256 (no reseeding: test keys only)."""

    def __init__(self, seed_material: bytes) -> None:
        self._key = b"\x00" * 32
        self._value = b"\x01" * 32
        self._update(seed_material)

    def _update(self, data: bytes) -> None:
        self._key = hmac.new(self._key, self._value + b"\x00" + data, hashlib.sha256).digest()
        self._value = hmac.new(self._key, self._value, hashlib.sha256).digest()
        if data:
            self._key = hmac.new(self._key, self._value + b"\x01" + data, hashlib.sha256).digest()
            self._value = hmac.new(self._key, self._value, hashlib.sha256).digest()

    def generate(self, count: int) -> bytes:
        output = b""
        while len(output) < count:
            self._value = hmac.new(self._key, self._value, hashlib.sha256).digest()
            output += self._value
        self._update(b"")
        return output[:count]

    def integer(self, bits: int) -> int:
        return int.from_bytes(self.generate((bits + 7) // 8), "big") >> (-bits % 8)


def _is_probable_prime(candidate: int, drbg: _HmacDrbg, rounds: int = _MILLER_RABIN_ROUNDS) -> bool:
    if math.gcd(candidate, _SMALL_PRIMES_PRODUCT) != 1:
        return candidate < _SIEVE_LIMIT and candidate in _SMALL_PRIMES
    odd_part, twos = candidate - 1, 0
    while odd_part % 2 == 0:
        odd_part, twos = odd_part // 2, twos + 1
    for _ in range(rounds):
        witness = 2 + drbg.integer(candidate.bit_length()) % (candidate - 3)
        x = pow(witness, odd_part, candidate)
        if x in (1, candidate - 1):
            continue
        for _ in range(twos - 1):
            x = pow(x, 2, candidate)
            if x == candidate - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, drbg: _HmacDrbg) -> int:
    while True:
        # top two bits set so that the product of two such primes has exactly 2*bits bits
        candidate = drbg.integer(bits) | (0b11 << (bits - 2)) | 1
        if (candidate - 1) % PUBLIC_EXPONENT and _is_probable_prime(candidate, drbg):
            return candidate


_DERIVATION_VERSION = b"1"


def _cache_file(seed: bytes, label: str, bits: int) -> Path | None:
    folder = os.environ.get("DMPKIT_TEST_KEY_CACHE")
    if not folder:
        return None
    name = hashlib.sha256(
        b"\x00".join([_DERIVATION_VERSION, seed, label.encode("utf-8"), str(bits).encode()])
    ).hexdigest()
    return Path(folder) / f"{name}.pem"


@lru_cache(maxsize=64)
def _derive(seed: bytes, label: str, bits: int) -> rsa.RSAPrivateKey:
    cache = _cache_file(seed, label, bits)
    if cache is not None and cache.is_file():
        key = serialization.load_pem_private_key(cache.read_bytes(), password=None)
        if isinstance(key, rsa.RSAPrivateKey) and key.key_size == bits:
            return key
    key = _search(seed, label, bits)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                            serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    return key


def _search(seed: bytes, label: str, bits: int) -> rsa.RSAPrivateKey:
    drbg = _HmacDrbg(b"dmpkit test RSA key\x00" + seed + b"\x00" + label.encode("utf-8"))
    while True:
        p = _prime(bits // 2, drbg)
        q = _prime(bits // 2, drbg)
        if p != q:
            break
    p, q = max(p, q), min(p, q)
    d = pow(PUBLIC_EXPONENT, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=d,
        dmp1=rsa.rsa_crt_dmp1(d, p),
        dmq1=rsa.rsa_crt_dmq1(d, q),
        iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=rsa.RSAPublicNumbers(PUBLIC_EXPONENT, p * q),
    )
    return numbers.private_key()


def deterministic_rsa_key(
    seed: bytes, label: str, bits: int = 2048, *, allow_insecure: bool = False
) -> rsa.RSAPrivateKey:
    """Derive a reproducible RSA key from ``seed`` and ``label`` (FOR TESTS ONLY).

    Args:
        seed: secret-less seed shared by the whole test PKI.
        label: which key of the PKI (``root``, ``org-sign``…), so keys differ.
        bits: modulus size.
        allow_insecure: permit use outside test mode (e.g. a documented demo).

    Raises:
        DeterministicKeyRefusedError: test mode is off and ``allow_insecure`` is false.
    """
    if not (testmode.is_enabled() or allow_insecure):
        raise DeterministicKeyRefusedError(
            "seeded RSA keys are predictable and exist for tests only: enable test mode "
            "(DMPKIT_TEST_MODE) or pass allow_insecure=True"
        )
    return _derive(seed, label, bits)


def new_rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    """A fresh RSA key from ``cryptography``'s generator (the only kind for real use)."""
    return rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=bits)
