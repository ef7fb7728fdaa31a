"""The pieces of a PKI as values: a structure, a key with its certificate, the whole test PKI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["DEFAULT_STRUCTURE", "CertifiedKey", "Structure", "TestPki"]


@dataclass(frozen=True, slots=True)
class Structure:
    """A care structure (structure de soins) as its IGC-Santé ORG certificates name it.

    Attributes:
        identifiant_structure: Struct_IdNat (``1`` + FINESS), the certificate ``OU`` and the
            VIHF ``Identifiant_Structure``.
        finess: the FINESS number (9 characters).
        name: the legal name, the certificate ``O``.
        state: the ``ST`` attribute (``Paris (75)`` style, as in the ANS example).
    """

    identifiant_structure: str
    finess: str
    name: str
    state: str = "Paris (75)"


# a fictitious FINESS (Luhn-valid, 99 = no real département) so no real structure is named
DEFAULT_STRUCTURE = Structure(
    identifiant_structure="1990000010",
    finess="990000010",
    name="CENTRE HOSPITALIER DMPKIT TEST",
)


@dataclass(frozen=True, slots=True)
class CertifiedKey:
    """A private key, its certificate and the intermediates up to (not including) the root."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


@dataclass(frozen=True, slots=True)
class TestPki:
    """A PKI modelled on IGC-Santé test: root, intermediate, ORG certificates and bad variants.

    Attributes:
        structure: the structure the ORG certificates belong to.
        root: the trust anchor.
        intermediate: the CA that issues ORG and server certificates.
        auth_cli: ORG AUTH_CLI, TLS client authentication (digitalSignature + clientAuth).
        sign: ORG SIGN, the VIHF and XAdES signing certificate (nonRepudiation only).
        localhost: a TLS server certificate for ``localhost``/``127.0.0.1``.
        expired_sign: like ``sign`` but expired.
        foreign_root: an unrelated CA nobody trusts.
        foreign_sign: a certificate with ``sign``'s very subject, issued by ``foreign_root``.
    """

    structure: Structure
    root: CertifiedKey
    intermediate: CertifiedKey
    auth_cli: CertifiedKey
    sign: CertifiedKey
    localhost: CertifiedKey
    expired_sign: CertifiedKey
    foreign_root: CertifiedKey
    foreign_sign: CertifiedKey

    __test__: ClassVar[bool] = False  # not a pytest test class, despite its name
