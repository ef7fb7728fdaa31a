"""Typed SOAP errors: each names what was wrong and maps to the SOAP 1.2 fault a server returns.

Every class carries ``fault_code`` (a SOAP 1.2 ``Code/Value`` local name) and
``fault_subcodes`` so the local SI DMP can turn a refusal straight into a fault with
:func:`dmpkit.soap.build_fault`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from dmpkit.errors import DmpkitError

__all__ = [
    "AddressingError",
    "EnvelopeError",
    "FaultReason",
    "HttpStatusError",
    "MustUnderstandError",
    "SoapError",
    "SoapFaultError",
    "VersionMismatchError",
]


class SoapError(DmpkitError):
    """Base class of the SOAP layer's errors."""

    fault_code: str = "Sender"
    fault_subcodes: tuple[str, ...] = ()


class EnvelopeError(SoapError):
    """The message is not a well-formed SOAP 1.2 envelope (structure, namespace, attributes)."""


class VersionMismatchError(EnvelopeError):
    """The root element is not the SOAP 1.2 ``Envelope`` (SOAP 1.1, look-alike namespace, other).

    Attributes:
        received: the root element's tag in Clark notation (``{namespace}local``).
    """

    fault_code = "VersionMismatch"

    def __init__(self, message: str, received: str) -> None:
        super().__init__(message)
        self.received = received


class MustUnderstandError(SoapError):
    """A header block targeted at us has ``mustUnderstand`` true and is not understood.

    Attributes:
        not_understood: the header blocks' names in Clark notation, in document order.
    """

    fault_code = "MustUnderstand"

    def __init__(self, not_understood: Sequence[str]) -> None:
        self.not_understood = tuple(not_understood)
        super().__init__(
            "header block(s) marked mustUnderstand are not understood: "
            + ", ".join(self.not_understood)
        )


class AddressingError(SoapError):
    """A WS-Addressing header is missing, duplicated or invalid.

    Attributes:
        header: the Message Addressing Property at fault, in Clark notation.
        fault_subcodes: the WS-Addressing 1.0 SOAP binding subcode
            (``{http://www.w3.org/2005/08/addressing}MessageAddressingHeaderRequired`` or
            ``...InvalidAddressingHeader``).
    """

    def __init__(self, message: str, *, header: str, subcode: str) -> None:
        super().__init__(message)
        self.header = header
        self.fault_subcodes = (subcode,)


@dataclass(frozen=True, slots=True)
class FaultReason:
    """One ``Reason/Text`` of a SOAP fault.

    Attributes:
        text: the human-readable reason (the DMP writes "<problème> : <détail>" in French).
        lang: its ``xml:lang``.
    """

    text: str
    lang: str


class SoapFaultError(SoapError):
    """The peer answered with a SOAP 1.2 fault.

    Attributes:
        code: ``Code/Value``: the local name for the five SOAP 1.2 codes (``"Sender"``,
            ``"Receiver"``, ``"MustUnderstand"``, ``"VersionMismatch"``,
            ``"DataEncodingUnknown"``), Clark notation for anything else.
        subcodes: the nested ``Subcode/Value`` names, outermost first, in Clark notation
            (a bare local name when the QName has no namespace, e.g. ``"DMPInvalidCertificate"``).
        reasons: every ``Reason/Text`` with its language.
        node: ``Node`` (URI of the faulting node), if given.
        role: ``Role``, if given.
        detail: the ``Detail`` element, if given.
        http_status: the HTTP status that carried the fault, when known.
    """

    def __init__(
        self,
        *,
        code: str,
        subcodes: Sequence[str],
        reasons: Sequence[FaultReason],
        node: str | None = None,
        role: str | None = None,
        detail: etree._Element | None = None,
        http_status: int | None = None,
    ) -> None:
        self.code = code
        self.subcodes = tuple(subcodes)
        self.reasons = tuple(reasons)
        self.node = node
        self.role = role
        self.detail = detail
        self.http_status = http_status
        self.fault_code = code
        self.fault_subcodes = self.subcodes
        where = f" (HTTP {http_status})" if http_status is not None else ""
        chain = "/".join((code, *self.subcodes))
        super().__init__(f"SOAP fault {chain}{where}: {self.reason}")

    @property
    def reason(self) -> str:
        """The French reason if there is one (the DMP's language), else the first one."""
        for reason in self.reasons:
            if reason.lang.lower().startswith("fr"):
                return reason.text
        return self.reasons[0].text if self.reasons else ""

    def has_subcode(self, name: str) -> bool:
        """Tell whether a subcode matches ``name`` (a local name or Clark notation)."""
        return any(code == name or etree.QName(code).localname == name for code in self.subcodes)


class HttpStatusError(SoapError):
    """The HTTP answer is not a SOAP response dmpkit can use (status or content type).

    Attributes:
        status: the HTTP status code.
        content_type: the ``Content-Type`` header as received.
        excerpt: the start of the body, bounded and with identifiers and tokens redacted.
    """

    fault_code = "Receiver"

    def __init__(self, message: str, *, status: int, content_type: str, excerpt: str) -> None:
        received = content_type or "no content type"
        super().__init__(f"{message} (HTTP {status}, {received}): {excerpt!r}")
        self.status = status
        self.content_type = content_type
        self.excerpt = excerpt
