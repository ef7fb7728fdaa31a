"""Typed errors of the DMP client: each carries the DMP's code and text, and the transaction.

One class per carrier of a refusal (REFERENCE §10.2): a SOAP fault, an HL7 v3 negative
acknowledgement, a proprietary ``status``, an XDS ``RegistryErrorList``. A request that dmpkit
refuses to send (invalid metadata or CDA, missing patient) raises :class:`DmpRequestError`
before anything reaches the wire.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dmpkit.errors import DmpkitError
from dmpkit.findings import Finding, format_findings

__all__ = [
    "DmpError",
    "DmpFaultError",
    "DmpProtocolError",
    "DmpRegistryError",
    "DmpRejectedError",
    "DmpRequestError",
    "DmpStatusError",
    "RegistryErrorDetail",
]


class DmpError(DmpkitError):
    """A DMP transaction did not succeed.

    Attributes:
        transaction: the catalogue id of the transaction (``TD1.1``).
        code: the DMP's (or the standard's) code, e.g. ``DMPFound``, ``XDSRegistryError``.
        text: the DMP's own text, as received.
    """

    def __init__(self, transaction: str, code: str, text: str) -> None:
        self.transaction = transaction
        self.code = code
        self.text = text
        super().__init__(f"{transaction}: {code}: {text}" if text else f"{transaction}: {code}")


class DmpFaultError(DmpError):
    """The SI DMP answered with a SOAP fault.

    ``code`` is the innermost subcode (the DMP code, e.g. ``DMPInvalidCertificate``) or the
    SOAP code when there is none; ``text`` is the French reason.

    Attributes:
        fault_code: the SOAP 1.2 Code (``Sender``, ``Receiver``…).
        subcodes: every subcode, outermost first, in Clark notation.
    """

    def __init__(
        self, transaction: str, code: str, text: str, *, fault_code: str,
        subcodes: Sequence[str],
    ) -> None:
        super().__init__(transaction, code, text)
        self.fault_code = fault_code
        self.subcodes = tuple(subcodes)


class DmpRejectedError(DmpError):
    """An HL7 v3 answer refused the request (acknowledgement AE/AR with a detail).

    Attributes:
        acknowledgement: the acknowledgement type code (``AE`` or ``AR``).
        interaction: the answer's interaction id (``PRPA_IN201313UV02``).
    """

    def __init__(
        self, transaction: str, code: str, text: str, *, acknowledgement: str, interaction: str
    ) -> None:
        super().__init__(transaction, code, text)
        self.acknowledgement = acknowledgement
        self.interaction = interaction


class DmpStatusError(DmpError):
    """A proprietary answer's ``status`` was not ``DMPOk`` (``code`` is that status)."""


@dataclass(frozen=True, slots=True)
class RegistryErrorDetail:
    """One ``rs:RegistryError`` of an XDS answer."""

    error_code: str
    code_context: str
    location: str
    severity: str


class DmpRegistryError(DmpError):
    """An XDS answer whose status is not Success (``code``/``text``: the first error).

    Attributes:
        status: the ``RegistryResponse``/``AdhocQueryResponse`` status URN.
        errors: every registry error and warning received.
    """

    def __init__(
        self, transaction: str, status: str, errors: Sequence[RegistryErrorDetail]
    ) -> None:
        first = errors[0] if errors else RegistryErrorDetail(status, "", "", "")
        super().__init__(transaction, first.error_code, first.code_context)
        self.status = status
        self.errors = tuple(errors)


class DmpProtocolError(DmpError):
    """The answer does not have the shape the catalogue announces (Action, root, content).

    ``code`` is a dmpkit code: ``dmpkit:UnexpectedAction``, ``dmpkit:UnexpectedRoot`` or
    ``dmpkit:MalformedAnswer``.
    """


class DmpRequestError(DmpError):
    """dmpkit refused to send the request: it would be refused by the SI DMP.

    ``code`` is ``dmpkit:InvalidRequest``; ``findings`` lists every problem found by the
    metadata or CDA validators (empty for a simple argument problem).
    """

    def __init__(self, transaction: str, text: str, findings: Sequence[Finding] = ()) -> None:
        self.findings = tuple(findings)
        detail = f"{text}\n{format_findings(self.findings)}" if self.findings else text
        super().__init__(transaction, "dmpkit:InvalidRequest", detail)
