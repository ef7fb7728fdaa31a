"""The catalogue-driven path every transaction takes: envelope, VIHF, MTOM, answer checks.

A transaction method is a *plan*: a generator that yields :class:`Call` objects and receives
:class:`Reply` objects, then returns its typed result. The sync and async clients only differ in
how they drive a plan, so request building and answer decoding are written once, without I/O.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from lxml import etree

from dmpkit import mtom
from dmpkit.catalogue import Mtom, Transaction
from dmpkit.client.errors import DmpFaultError, DmpProtocolError
from dmpkit.client.vihf_factory import VihfFactory
from dmpkit.soap import (
    Addressing,
    HttpStatusError,
    ParsedEnvelope,
    SoapFaultError,
    build_envelope,
    content_type,
    parse_response,
    serialize,
)
from dmpkit.transport import HttpReply
from dmpkit.vihf import InsIdentifier, PurposeOfUse

__all__ = ["Call", "Plan", "Reply", "encode_call", "read_reply", "single"]

_T = TypeVar("_T")
_XOP_INCLUDE = "{http://www.w3.org/2004/08/xop/include}Include"


@dataclass(frozen=True)
class Call:
    """One request to send: which transaction, its body, and what the VIHF must say.

    Attributes:
        transaction: the catalogue entry (service, Actions, MTOM, idempotency).
        body: the SOAP Body payload.
        patient: the patient's INS, for the VIHF resource-id of patient-scoped transactions.
        access_mode: the VIHF purposeofuse, when not the client's default.
    """

    transaction: Transaction
    body: etree._Element
    patient: InsIdentifier | None = None
    access_mode: PurposeOfUse | None = None


@dataclass(frozen=True)
class Reply:
    """A checked answer: right Action, right root, no fault.

    Attributes:
        transaction: the catalogue entry answered.
        payload: the SOAP Body payload.
        envelope: the whole checked envelope.
        attachments: MTOM parts by Content-ID (owned bytes).
        http: the raw HTTP reply (status, timing, attempts).
    """

    transaction: Transaction
    payload: etree._Element
    envelope: ParsedEnvelope
    http: HttpReply
    attachments: Mapping[str, bytes] = field(default_factory=dict)

    def binary(self, element: etree._Element) -> bytes:
        """The bytes of a base64 element, inline or as an ``xop:Include`` of an MTOM part.

        Raises:
            DmpProtocolError: the Include names no part of the answer.
        """
        include = element.find(_XOP_INCLUDE)
        if include is None:
            return base64.b64decode("".join((element.text or "").split()))
        cid = mtom.cid_from_href(include.get("href", "")) or ""
        try:
            return self.attachments[cid]
        except KeyError:
            raise DmpProtocolError(
                self.transaction.id, "dmpkit:MalformedAnswer",
                f"xop:Include names part {cid!r}, absent from the answer",
            ) from None


Plan = Generator[Call, Reply, _T]


def single(call: Call, decode: Callable[[Reply], _T]) -> Plan[_T]:
    """The plan of a one-message transaction."""
    reply = yield call
    return decode(reply)


def encode_call(
    call: Call, vihf: VihfFactory, url: str
) -> tuple[bytes | mtom.MtomMessage, str]:
    """The HTTP body and Content-Type of a call.

    The envelope carries WS-Addressing (the catalogue's request Action, ``To`` = ``url``) and
    a freshly signed VIHF in ``wsse:Security``; it travels as MTOM when the catalogue requires
    it for the request.
    """
    transaction = call.transaction
    action = _required(transaction.request_action, transaction, "request_action")
    assertion = vihf.assertion(transaction, call.patient, call.access_mode)
    envelope = build_envelope(
        call.body, addressing=Addressing(action=action, to=url), security=[assertion]
    )
    if transaction.mtom_request is Mtom.REQUIRED:
        message = mtom.encode_envelope(envelope, action=action)
        return message, message.content_type
    return serialize(envelope), content_type(action)


def read_reply(call: Call, http: HttpReply) -> Reply:
    """Check an HTTP reply against the catalogue and turn refusals into typed errors.

    Raises:
        DmpFaultError: the answer is a SOAP fault (code: the DMP subcode).
        DmpProtocolError: wrong Action or root, an HTTP error without fault, or not SOAP.
    """
    transaction = call.transaction
    body, ctype, attachments = http.body, http.content_type, {}
    if mtom.is_multipart(ctype):
        decoded = mtom.decode(ctype, body)
        body, ctype = decoded.root_xml, decoded.root.content_type
        attachments = {cid: part.tobytes() for cid, part in decoded.attachments.items()}
    try:
        envelope = parse_response(http.status_code, ctype, body)
    except SoapFaultError as fault:
        raise _fault_error(transaction, fault) from fault
    except HttpStatusError as error:
        raise DmpProtocolError(transaction.id, "dmpkit:HttpStatus", str(error)) from error
    action = envelope.addressing.action if envelope.addressing is not None else None
    if action not in transaction.response_actions:
        raise DmpProtocolError(
            transaction.id, "dmpkit:UnexpectedAction",
            f"answer Action {action!r} is not one of {list(transaction.response_actions)}",
        )
    payload = envelope.body_payload
    if payload.tag not in transaction.response_roots:
        raise DmpProtocolError(
            transaction.id, "dmpkit:UnexpectedRoot",
            f"answer root {payload.tag} is not one of {list(transaction.response_roots)}",
        )
    return Reply(transaction, payload, envelope, http, attachments)


def _fault_error(transaction: Transaction, fault: SoapFaultError) -> DmpFaultError:
    code = etree.QName(fault.subcodes[-1]).localname if fault.subcodes else fault.code
    return DmpFaultError(
        transaction.id, code, fault.reason, fault_code=fault.code, subcodes=fault.subcodes
    )


def _required(value: str | None, transaction: Transaction, name: str) -> str:
    if value is None:
        raise DmpProtocolError(
            transaction.id, "dmpkit:NotSupported",
            f"{transaction.id} has no {name} in the catalogue: {transaction.scope_reason or ''}",
        )
    return value
