"""Write a test PKI to a folder, read it back, and read a vendor's PKCS#12.

Layout written by :func:`write_pki` (and ``dmpkit pki init DIR``)::

    DIR/pki.json                       structure (Identifiant_Structure, FINESS, name) + file map
    DIR/ca/root.pem                    trust anchor (self-signed)
    DIR/ca/intermediate.pem            issuing CA
    DIR/ca/chain.pem                   intermediate then root
    DIR/org/auth_cli.{pem,key.pem,p12} ORG AUTH_CLI: TLS client (digitalSignature, clientAuth)
    DIR/org/sign.{pem,key.pem,p12}     ORG SIGN: VIHF/XAdES signature (nonRepudiation)
    DIR/server/localhost.{pem,key.pem} TLS server certificate for localhost
    DIR/variants/expired-sign.{pem,key.pem}         an expired ORG SIGN
    DIR/variants/foreign-ca/root.{pem,key.pem}      a CA nobody trusts (key kept to forge)
    DIR/variants/foreign-ca/sign.{pem,key.pem}      ORG SIGN look-alike issued by it

Private keys are unencrypted PEM (test material, mode 0600); the ``.p12`` files carry the key,
certificate and chain under the password given to :func:`write_pki`.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from dmpkit.pki.errors import Pkcs12Error, Pkcs12PasswordError, PkiLayoutError
from dmpkit.pki.model import CertifiedKey, Structure, TestPki

__all__ = [
    "PKI_FILES",
    "certificate_pem",
    "load_certificates",
    "load_pkcs12",
    "load_pki",
    "pkcs12_bytes",
    "write_pki",
]

# field of TestPki -> path of its certificate (key next to it as .key.pem)
PKI_FILES: dict[str, str] = {
    "root": "ca/root.pem",
    "intermediate": "ca/intermediate.pem",
    "auth_cli": "org/auth_cli.pem",
    "sign": "org/sign.pem",
    "localhost": "server/localhost.pem",
    "expired_sign": "variants/expired-sign.pem",
    "foreign_root": "variants/foreign-ca/root.pem",
    "foreign_sign": "variants/foreign-ca/sign.pem",
}
_CA_KEYS = {"root", "intermediate", "foreign_root"}
_P12 = {"auth_cli": "org/auth_cli.p12", "sign": "org/sign.p12"}


def certificate_pem(certificate: x509.Certificate) -> bytes:
    """PEM text of a certificate."""
    return certificate.public_bytes(serialization.Encoding.PEM)


def _key_path(cert_path: str) -> str:
    return cert_path.removesuffix(".pem") + ".key.pem"


def _write(path: Path, data: bytes, private: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if private:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    else:
        path.write_bytes(data)


def pkcs12_bytes(certified: CertifiedKey, password: bytes, friendly_name: str) -> bytes:
    """Serialize a key, its certificate and chain as a password-protected PKCS#12."""
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode("utf-8"),
        certified.key,
        certified.certificate,
        list(certified.chain) or None,
        serialization.BestAvailableEncryption(password),
    )


def write_pki(pki: TestPki, folder: Path, *, p12_password: bytes) -> list[Path]:
    """Write every certificate, key and PKCS#12 of ``pki`` under ``folder``.

    CA private keys are not written, except the foreign CA's (tests forge with it).

    Returns:
        The files written, relative to ``folder``.
    """
    written: list[Path] = []
    for field, relative in PKI_FILES.items():
        certified: CertifiedKey = getattr(pki, field)
        _write(folder / relative, certificate_pem(certified.certificate))
        written.append(Path(relative))
        if field not in _CA_KEYS or field == "foreign_root":
            key_pem = certified.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            _write(folder / _key_path(relative), key_pem, private=True)
            written.append(Path(_key_path(relative)))
    chain = certificate_pem(pki.intermediate.certificate) + certificate_pem(pki.root.certificate)
    _write(folder / "ca/chain.pem", chain)
    written.append(Path("ca/chain.pem"))
    for field, relative in _P12.items():
        _write(folder / relative, pkcs12_bytes(getattr(pki, field), p12_password, field), True)
        written.append(Path(relative))
    description = {
        "structure": asdict(pki.structure),
        "files": {field: relative for field, relative in PKI_FILES.items()},
        "pkcs12": _P12,
        "chain": "ca/chain.pem",
    }
    text = json.dumps(description, indent=2, ensure_ascii=False) + "\n"
    _write(folder / "pki.json", text.encode("utf-8"))
    written.append(Path("pki.json"))
    return written


def load_certificates(path: Path) -> list[x509.Certificate]:
    """Every certificate of a PEM file."""
    return x509.load_pem_x509_certificates(path.read_bytes())


def _load_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise PkiLayoutError(f"{path.name} is not an RSA private key")
    return key


def load_pki(folder: Path) -> TestPki:
    """Read back a folder written by :func:`write_pki`.

    CA entries without a key file get the matching certificate's public role only: their
    ``key`` is a placeholder from the foreign CA and must not be used to issue.

    Raises:
        PkiLayoutError: ``pki.json`` or a listed file is missing.
    """
    description_path = folder / "pki.json"
    if not description_path.is_file():
        raise PkiLayoutError(f"{folder} has no pki.json: create it with `dmpkit pki init {folder}`")
    description = json.loads(description_path.read_text(encoding="utf-8"))
    structure = Structure(**description["structure"])
    foreign_key = _load_key(folder / _key_path(PKI_FILES["foreign_root"]))
    intermediate_cert = load_certificates(folder / PKI_FILES["intermediate"])[0]
    loaded: dict[str, CertifiedKey] = {}
    for field, relative in PKI_FILES.items():
        path = folder / relative
        if not path.is_file():
            raise PkiLayoutError(f"{relative} is missing from {folder}")
        certificate = load_certificates(path)[0]
        key_file = folder / _key_path(relative)
        key = _load_key(key_file) if key_file.is_file() else foreign_key
        chain: tuple[x509.Certificate, ...] = ()
        if field in {"auth_cli", "sign", "localhost", "expired_sign"}:
            chain = (intermediate_cert,)
        loaded[field] = CertifiedKey(key, certificate, chain)
    return TestPki(structure=structure, **loaded)


def load_pkcs12(path: Path, password: bytes | None) -> CertifiedKey:
    """Load a vendor's PKCS#12 (e.g. an IGC-Santé ORG certificate): key, certificate, chain.

    Raises:
        Pkcs12PasswordError: wrong password (or a corrupt file).
        Pkcs12Error: the file holds no RSA key or no certificate.
    """
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    except ValueError:
        raise Pkcs12PasswordError(
            f"cannot open {path.name}: wrong password or corrupt PKCS#12"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey) or certificate is None:
        raise Pkcs12Error(f"{path.name} does not hold an RSA private key with its certificate")
    return CertifiedKey(key, certificate, tuple(chain))
