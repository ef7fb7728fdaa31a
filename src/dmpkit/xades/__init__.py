"""The XAdES signature of a DMP submission set (IHE DSG style, REFERENCE §3.6).

:func:`sign_submission_set` produces the ``ds:Signature`` that the feed transaction carries
as an extra DocumentEntry; :func:`verify_submission_set_signature` checks it against the
documents actually submitted and a trust store (the local server uses it).
"""

from dmpkit.xades.digests import SignedDocument
from dmpkit.xades.errors import XadesVerificationError
from dmpkit.xades.sign import MANIFEST_ID, PURPOSE_OF_SIGNATURE, sign_submission_set
from dmpkit.xades.verify import VerifiedSubmissionSetSignature, verify_submission_set_signature

__all__ = [
    "MANIFEST_ID",
    "PURPOSE_OF_SIGNATURE",
    "SignedDocument",
    "VerifiedSubmissionSetSignature",
    "XadesVerificationError",
    "sign_submission_set",
    "verify_submission_set_signature",
]
