"""Algorithm URIs of XML-DSig and the policy saying which ones a verifier accepts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cryptography.hazmat.primitives import hashes

__all__ = [
    "C14N_10",
    "C14N_10_WITH_COMMENTS",
    "C14N_EXCLUSIVE",
    "C14N_EXCLUSIVE_WITH_COMMENTS",
    "DIGESTS",
    "DIGEST_SHA1",
    "DIGEST_SHA256",
    "ENVELOPED",
    "RSA_SHA1",
    "RSA_SHA256",
    "SIGNATURE_DIGESTS",
    "AlgorithmPolicy",
]

C14N_10: Final = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_10_WITH_COMMENTS: Final = C14N_10 + "#WithComments"
C14N_EXCLUSIVE: Final = "http://www.w3.org/2001/10/xml-exc-c14n#"
C14N_EXCLUSIVE_WITH_COMMENTS: Final = C14N_EXCLUSIVE + "WithComments"
ENVELOPED: Final = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
RSA_SHA256: Final = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA1: Final = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
DIGEST_SHA256: Final = "http://www.w3.org/2001/04/xmlenc#sha256"
DIGEST_SHA1: Final = "http://www.w3.org/2000/09/xmldsig#sha1"

DIGESTS: Final[dict[str, type[hashes.HashAlgorithm]]] = {
    DIGEST_SHA256: hashes.SHA256,
    DIGEST_SHA1: hashes.SHA1,
}
SIGNATURE_DIGESTS: Final[dict[str, type[hashes.HashAlgorithm]]] = {
    RSA_SHA256: hashes.SHA256,
    RSA_SHA1: hashes.SHA1,
}
CANONICALIZATIONS: Final = (
    C14N_10,
    C14N_10_WITH_COMMENTS,
    C14N_EXCLUSIVE,
    C14N_EXCLUSIVE_WITH_COMMENTS,
)


@dataclass(frozen=True, slots=True)
class AlgorithmPolicy:
    """What a verifier accepts.

    Attributes:
        allow_sha1: accept rsa-sha1 and sha1 digests (older DMP samples; off by default).
        allow_c14n_with_comments: accept the ``#WithComments`` canonicalizations.
    """

    allow_sha1: bool = False
    allow_c14n_with_comments: bool = False

    def accepts_signature(self, uri: str) -> bool:
        return uri == RSA_SHA256 or (self.allow_sha1 and uri == RSA_SHA1)

    def accepts_digest(self, uri: str) -> bool:
        return uri == DIGEST_SHA256 or (self.allow_sha1 and uri == DIGEST_SHA1)

    def accepts_c14n(self, uri: str) -> bool:
        if uri in (C14N_10, C14N_EXCLUSIVE):
            return True
        return self.allow_c14n_with_comments and uri in CANONICALIZATIONS
