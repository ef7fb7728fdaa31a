"""Issue the certificates of a test PKI modelled on IGC-Santé test.

Subjects follow the IGC-Santé ORG pattern ``C=FR, ST=…, O=<structure>, OU=<Struct_IdNat>,
CN=…``; key usages follow the certificate families: AUTH_CLI = digitalSignature + clientAuth,
SIGN = nonRepudiation only (the DMP rejects a VIHF signed otherwise), CA = keyCertSign.
In test mode keys are seeded, serials fixed and dates taken from the test clock, so the PKI is
byte-identical across runs.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from dmpkit import testmode
from dmpkit.pki.keys import deterministic_rsa_key, new_rsa_key
from dmpkit.pki.model import DEFAULT_STRUCTURE, CertifiedKey, Structure, TestPki

__all__ = ["DEFAULT_SEED", "generate_test_pki", "org_subject"]

DEFAULT_SEED = b"dmpkit-test-pki"
_CA_ORGANISATION = "DMPKIT TEST"
_CA_UNIT = "IGC-SANTE TEST (MODELE)"


def _name(*pairs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


def _ca_subject(common_name: str, organisation: str = _CA_ORGANISATION) -> x509.Name:
    return _name(
        (NameOID.COUNTRY_NAME, "FR"),
        (NameOID.ORGANIZATION_NAME, organisation),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, _CA_UNIT),
        (NameOID.COMMON_NAME, common_name),
    )


def org_subject(structure: Structure, common_name: str) -> x509.Name:
    """The subject of an ORG certificate of ``structure`` (``C, ST, O, OU, CN`` order)."""
    return _name(
        (NameOID.COUNTRY_NAME, "FR"),
        (NameOID.STATE_OR_PROVINCE_NAME, structure.state),
        (NameOID.ORGANIZATION_NAME, structure.name),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, structure.identifiant_structure),
        (NameOID.COMMON_NAME, common_name),
    )


def _key_usage(**flags: bool) -> x509.KeyUsage:
    names = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
             "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
    values = {name: flags.get(name, False) for name in names}
    return x509.KeyUsage(**values)


class _Issuer:
    """Keeps the choices that make a PKI reproducible: key source, serials, dates."""

    def __init__(self, deterministic: bool, seed: bytes, base: datetime) -> None:
        self.deterministic = deterministic
        self.seed = seed
        self.base = base
        self._serial = 0x1000

    def key(self, label: str) -> rsa.RSAPrivateKey:
        if self.deterministic:
            return deterministic_rsa_key(self.seed, label, allow_insecure=True)
        return new_rsa_key()

    def serial(self) -> int:
        self._serial += 1
        return self._serial if self.deterministic else x509.random_serial_number()

    def issue(
        self,
        subject: x509.Name,
        key: rsa.RSAPrivateKey,
        issuer: CertifiedKey | None,
        *,
        days: int,
        extensions: list[tuple[x509.ExtensionType, bool]],
        starts: timedelta = timedelta(days=-1),
    ) -> x509.Certificate:
        signer_key = issuer.key if issuer else key
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer.certificate.subject if issuer else subject)
            .public_key(key.public_key())
            .serial_number(self.serial())
            .not_valid_before(self.base + starts)
            .not_valid_after(self.base + starts + timedelta(days=days))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        )
        authority = (issuer.key if issuer else key).public_key()
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority), False
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical)
        return builder.sign(signer_key, hashes.SHA256())


def _ca_extensions(path_length: int) -> list[tuple[x509.ExtensionType, bool]]:
    return [
        (x509.BasicConstraints(ca=True, path_length=path_length), True),
        (_key_usage(key_cert_sign=True, crl_sign=True), True),
    ]


def _leaf(
    usage: x509.KeyUsage, *extra: x509.ExtensionType
) -> list[tuple[x509.ExtensionType, bool]]:
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (usage, True),
    ]
    return extensions + [(extension, False) for extension in extra]


def generate_test_pki(
    structure: Structure = DEFAULT_STRUCTURE,
    *,
    deterministic: bool | None = None,
    seed: bytes = DEFAULT_SEED,
) -> TestPki:
    """Create the whole test PKI in memory.

    Args:
        structure: the structure the ORG certificates are issued to.
        deterministic: seeded keys, fixed serials and test-clock dates; defaults to whether
            test mode is on. Outside test mode ``True`` is an explicit, documented opt-in.
        seed: the seed of the deterministic keys.

    Returns:
        The PKI, keys included.
    """
    deterministic = testmode.is_enabled() if deterministic is None else deterministic
    # midnight of the current (test) day: certificates do not change when the clock ticks
    now = testmode.now()
    base = now.replace(hour=0, minute=0, second=0, microsecond=0)
    issuer = _Issuer(deterministic, seed, base)

    root_key = issuer.key("root")
    root_cert = issuer.issue(_ca_subject("DMPKIT TEST AC IGC-SANTE RACINE"), root_key, None,
                             days=3650, extensions=_ca_extensions(1))
    root = CertifiedKey(root_key, root_cert)
    inter_key = issuer.key("intermediate")
    inter_cert = issuer.issue(_ca_subject("DMPKIT TEST AC IGC-SANTE ORGANISATIONS"), inter_key,
                              root, days=3650, extensions=_ca_extensions(0))
    intermediate = CertifiedKey(inter_key, inter_cert)
    chain = (inter_cert,)

    def org(label: str, common_name: str, usage: x509.KeyUsage, *extra: x509.ExtensionType,
            days: int = 1095, starts: timedelta = timedelta(days=-1)) -> CertifiedKey:
        key = issuer.key(label)
        cert = issuer.issue(org_subject(structure, common_name), key, intermediate, days=days,
                            extensions=_leaf(usage, *extra), starts=starts)
        return CertifiedKey(key, cert, chain)

    auth_cli = org("org-auth-cli", "DMPKIT ORG AUTH_CLI", _key_usage(digital_signature=True),
                   x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]))
    sign = org("org-sign", "DMPKIT ORG SIGN", _key_usage(content_commitment=True))
    expired_sign = org("org-sign-expired", "DMPKIT ORG SIGN", _key_usage(content_commitment=True),
                       days=365, starts=timedelta(days=-400))

    server_key = issuer.key("server-localhost")
    server_cert = issuer.issue(
        _name((NameOID.COUNTRY_NAME, "FR"), (NameOID.ORGANIZATION_NAME, _CA_ORGANISATION),
              (NameOID.COMMON_NAME, "localhost")),
        server_key, intermediate, days=1095,
        extensions=_leaf(
            _key_usage(digital_signature=True, key_encipherment=True),
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
            x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                         x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
        ),
    )
    localhost = CertifiedKey(server_key, server_cert, chain)

    foreign_key = issuer.key("foreign-root")
    foreign_cert = issuer.issue(_ca_subject("DMPKIT FOREIGN AC", "FOREIGN TEST"), foreign_key, None,
                                days=3650, extensions=_ca_extensions(1))
    foreign_root = CertifiedKey(foreign_key, foreign_cert)
    forged_key = issuer.key("foreign-sign")
    # same subject as the genuine SIGN certificate: only the chain tells them apart
    forged_cert = issuer.issue(org_subject(structure, "DMPKIT ORG SIGN"), forged_key, foreign_root,
                               days=1095, extensions=_leaf(_key_usage(content_commitment=True)))
    foreign_sign = CertifiedKey(forged_key, forged_cert)

    return TestPki(structure, root, intermediate, auth_cli, sign, localhost, expired_sign,
                   foreign_root, foreign_sign)
