"""The ``pki init`` folder layout, reading it back, and PKCS#12 in and out."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from dmpkit.pki import Pkcs12PasswordError, TestPki, load_pkcs12, load_pki, write_pki
from dmpkit.pki.store import certificate_pem

PASSWORD = b"dmpkit-test"


@pytest.fixture
def folder(pki: TestPki, tmp_path: Path) -> Path:
    write_pki(pki, tmp_path, p12_password=PASSWORD)
    return tmp_path


def test_layout(folder: Path) -> None:
    expected = [
        "pki.json", "ca/root.pem", "ca/intermediate.pem", "ca/chain.pem",
        "org/auth_cli.pem", "org/auth_cli.key.pem", "org/auth_cli.p12",
        "org/sign.pem", "org/sign.key.pem", "org/sign.p12",
        "server/localhost.pem", "server/localhost.key.pem",
        "variants/expired-sign.pem", "variants/expired-sign.key.pem",
        "variants/foreign-ca/root.pem", "variants/foreign-ca/sign.pem",
        "variants/foreign-ca/sign.key.pem",
    ]
    assert all((folder / path).is_file() for path in expected)
    assert not (folder / "ca/root.key.pem").exists()  # the trusted CA keys never leave memory
    assert stat.S_IMODE((folder / "org/sign.key.pem").stat().st_mode) == 0o600
    description = json.loads((folder / "pki.json").read_text(encoding="utf-8"))
    assert description["structure"]["identifiant_structure"] == "1990000010"
    assert description["structure"]["finess"] == "990000010"


def test_chain_file_is_intermediate_then_root(pki: TestPki, folder: Path) -> None:
    assert (folder / "ca/chain.pem").read_bytes() == certificate_pem(
        pki.intermediate.certificate) + certificate_pem(pki.root.certificate)


def test_load_round_trip(pki: TestPki, folder: Path) -> None:
    loaded = load_pki(folder)
    assert loaded.structure == pki.structure
    assert loaded.sign.certificate == pki.sign.certificate
    assert loaded.sign.key.private_numbers() == pki.sign.key.private_numbers()
    assert loaded.sign.chain == (pki.intermediate.certificate,)


def test_pkcs12_is_password_protected_and_complete(pki: TestPki, folder: Path) -> None:
    data = (folder / "org/sign.p12").read_bytes()
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(data, None)
    loaded = load_pkcs12(folder / "org/sign.p12", PASSWORD)
    assert loaded.certificate == pki.sign.certificate
    assert loaded.key.public_key().public_numbers() == \
        pki.sign.certificate.public_key().public_numbers()  # type: ignore[union-attr]
    assert loaded.chain == (pki.intermediate.certificate,)


def test_wrong_pkcs12_password_is_a_typed_error(folder: Path) -> None:
    with pytest.raises(Pkcs12PasswordError, match="wrong password"):
        load_pkcs12(folder / "org/auth_cli.p12", b"nope")


def test_vendor_pkcs12_with_legacy_encryption_loads(pki: TestPki, tmp_path: Path) -> None:
    # vendor files (IGC-Santé exports, OpenSSL 1.x) often use PBE-SHA1-3DES and a SHA-1 MAC
    from cryptography.hazmat.primitives import hashes, serialization

    encryption = (serialization.PrivateFormat.PKCS12.encryption_builder()
                  .kdf_rounds(2048)
                  .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
                  .hmac_hash(hashes.SHA1())
                  .build(b"vendor"))
    data = pkcs12.serialize_key_and_certificates(
        b"ORG SIGN", pki.sign.key, pki.sign.certificate, [pki.intermediate.certificate,
                                                         pki.root.certificate], encryption)
    path = tmp_path / "vendor.p12"
    path.write_bytes(data)
    loaded = load_pkcs12(path, b"vendor")
    assert loaded.certificate == pki.sign.certificate
    assert loaded.chain == (pki.intermediate.certificate, pki.root.certificate)
