"""The VIHF: the signed SAML 2.0 token a DMP client puts in ``wsse:Security`` (REFERENCE §2).

Build claims (:class:`VihfClaims`, checked against J65/J61/J38/J64), sign them with the ORG
SIGN certificate (:class:`VihfSigner`), read them back without trust (:func:`inspect_vihf`),
and verify them as a relying party (:class:`VihfVerifier`, :func:`verify_vihf`), with the
signature-wrapping defences described in :mod:`dmpkit.vihf.verify`.
"""

from dmpkit.vihf.build import build_assertion
from dmpkit.vihf.claims import (
    TEST_PATIENT_INS,
    AttributeName,
    AuthentificationMode,
    CodedValue,
    PurposeOfUse,
    VihfClaims,
)
from dmpkit.vihf.errors import (
    ClaimProblem,
    VihfClaimsError,
    VihfReadError,
    VihfVerificationError,
)
from dmpkit.vihf.ins import InsIdentifier, ins_key
from dmpkit.vihf.inspect import CertificateSummary, VihfInspection, inspect_vihf
from dmpkit.vihf.read import claims_from_assertion
from dmpkit.vihf.sign import VihfSigner
from dmpkit.vihf.validate import check_claims, claim_problems
from dmpkit.vihf.verify import VerifiedVihf, VihfVerifier, verify_vihf

__all__ = [
    "TEST_PATIENT_INS",
    "AttributeName",
    "AuthentificationMode",
    "CertificateSummary",
    "ClaimProblem",
    "CodedValue",
    "InsIdentifier",
    "PurposeOfUse",
    "VerifiedVihf",
    "VihfClaims",
    "VihfClaimsError",
    "VihfInspection",
    "VihfReadError",
    "VihfSigner",
    "VihfVerificationError",
    "VihfVerifier",
    "build_assertion",
    "check_claims",
    "claim_problems",
    "claims_from_assertion",
    "ins_key",
    "inspect_vihf",
    "verify_vihf",
]
