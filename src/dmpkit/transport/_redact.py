"""Mask patient identifiers, names and key material in text bound for logs and captures.

Redaction is pattern based and errs on the side of masking: a log line loses a 15-digit
number that was not an INS rather than leak one that was.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

__all__ = ["MASK", "SENSITIVE_HEADERS", "RedactingFilter", "redact_headers", "redact_text"]

MASK = "***"
SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)

_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----.*?(?:-----END \1-----|\Z)", re.DOTALL)
# XML elements whose text is key material or a signature (VIHF, XAdES, WS-Security).
_SECRET_ELEMENTS = re.compile(
    r"(<(?:[\w.-]+:)?(SignatureValue|X509Certificate|BinarySecurityToken|X509SKI"
    r"|EncapsulatedX509Certificate|CipherValue)\b[^>]*>)(.*?)(</(?:[\w.-]+:)?\2\s*>)",
    re.DOTALL,
)
# Patient names and birth data: HL7 v3 / CDA person names.
_NAME_ELEMENTS = re.compile(
    r"(<(?:[\w.-]+:)?(family|given|prefix|suffix)\b[^>]*>)(.*?)(</(?:[\w.-]+:)?\2\s*>)",
    re.DOTALL,
)
_BIRTH_TIME = re.compile(r"(<(?:[\w.-]+:)?birthTime\b[^>]*\bvalue=)(\"[^\"]*\"|'[^']*')")
# XDS sourcePatientInfo values: PID-5 name, PID-7 birth date, PID-11 address, PID-13 phone.
_SOURCE_PATIENT_INFO = re.compile(r"\b(PID-(?:5|6|7|11|13|14|18|19)\|)([^<\"]*)")
# CX identifiers assigned by an INS authority (REFERENCE §5: 1.2.250.1.213.1.4.x).
# In XML text the ampersands arrive escaped as "&amp;".
_CX_INS = re.compile(r"[^\s<>\"'^|]+(\^\^\^&(?:amp;)?1\.2\.250\.1\.213\.1\.4\.\d+&(?:amp;)?ISO)")
# HL7 v3 II with an INS root: mask the extension whatever the attribute order.
_II_WITH_INS_ROOT = re.compile(r"<[^<>]*\broot=[\"']1\.2\.250\.1\.213\.1\.4\.\d+[\"'][^<>]*>")
_EXTENSION = re.compile(r"(\bextension=)(\"[^\"]*\"|'[^']*')")
# A 15-character matricule (NIR/NIA + key), Corsican 2A/2B departments included.
_MATRICULE = re.compile(r"(?<![\w.])[1-8]\d{4}(?:\d{2}|2[AB])\d{8}(?![\w.])")


def redact_text(text: str) -> str:
    """Mask INS/NIR values, patient names, signature values, certificates and PEM blocks."""
    text = _PEM.sub(lambda m: f"-----BEGIN {m.group(1)}-----{MASK}-----END {m.group(1)}-----", text)
    text = _SECRET_ELEMENTS.sub(lambda m: f"{m.group(1)}{MASK}{m.group(4)}", text)
    text = _NAME_ELEMENTS.sub(lambda m: f"{m.group(1)}{MASK}{m.group(4)}", text)
    text = _BIRTH_TIME.sub(lambda m: f'{m.group(1)}"{MASK}"', text)
    text = _SOURCE_PATIENT_INFO.sub(lambda m: f"{m.group(1)}{MASK}", text)
    text = _CX_INS.sub(lambda m: f"{MASK}{m.group(1)}", text)
    text = _II_WITH_INS_ROOT.sub(
        lambda m: _EXTENSION.sub(lambda e: f'{e.group(1)}"{MASK}"', m.group(0)), text
    )
    return _MATRICULE.sub(MASK, text)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers with credentials masked and every other value passed through :func:`redact_text`."""
    return {
        name: MASK if name.lower() in SENSITIVE_HEADERS else redact_text(value)
        for name, value in headers.items()
    }


class RedactingFilter(logging.Filter):
    """A logging filter that applies :func:`redact_text` to every record's final message.

    Attach it to the handlers (or loggers) that may see SOAP messages::

        handler.addFilter(RedactingFilter())
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message or record.args:
            record.msg = redacted
            record.args = None
        return True
