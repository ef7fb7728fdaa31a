"""A thin XML-DSig core on lxml + cryptography, shared by the VIHF and the XAdES signature.

Why not signxml for everything: signxml re-serializes and re-parses the whole document several
times per verification (with its own parser, outside :func:`dmpkit.xmlparse.parse_xml`) and
reports failures as bare messages. This core works on the tree already parsed by the hardened
parser, resolves same-document references only (``#id``, unique IDs required), and reports
each failure with a reason code and the *forensics*: canonical SignedInfo bytes and, per
reference, the transforms, digest input and the expected and computed digests. signxml is used
in the tests as an independent implementation to check interoperability both ways.
"""

from dmpkit.xmldsig.algorithms import (
    C14N_10,
    C14N_10_WITH_COMMENTS,
    C14N_EXCLUSIVE,
    C14N_EXCLUSIVE_WITH_COMMENTS,
    DIGEST_SHA1,
    DIGEST_SHA256,
    ENVELOPED,
    RSA_SHA1,
    RSA_SHA256,
    AlgorithmPolicy,
)
from dmpkit.xmldsig.c14n import canonicalize
from dmpkit.xmldsig.core import (
    ReferenceForensics,
    ReferenceSpec,
    SignatureError,
    SignatureForensics,
    build_signature,
    element_id,
    find_by_id,
    finish_signature,
    verify_signature,
)

__all__ = [
    "C14N_10",
    "C14N_10_WITH_COMMENTS",
    "C14N_EXCLUSIVE",
    "C14N_EXCLUSIVE_WITH_COMMENTS",
    "DIGEST_SHA1",
    "DIGEST_SHA256",
    "ENVELOPED",
    "RSA_SHA1",
    "RSA_SHA256",
    "AlgorithmPolicy",
    "ReferenceForensics",
    "ReferenceSpec",
    "SignatureError",
    "SignatureForensics",
    "build_signature",
    "canonicalize",
    "element_id",
    "find_by_id",
    "finish_signature",
    "verify_signature",
]
