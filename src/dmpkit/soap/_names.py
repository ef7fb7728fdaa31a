"""Qualified names of SOAP 1.2 and WS-Addressing 1.0 used by the SOAP layer."""

from __future__ import annotations

from typing import Final

from dmpkit.namespaces import SOAP12, WSA, WSSE

SOAP11: Final = "http://schemas.xmlsoap.org/soap/envelope/"

ENVELOPE: Final = f"{{{SOAP12}}}Envelope"
HEADER: Final = f"{{{SOAP12}}}Header"
BODY: Final = f"{{{SOAP12}}}Body"
FAULT: Final = f"{{{SOAP12}}}Fault"
MUST_UNDERSTAND: Final = f"{{{SOAP12}}}mustUnderstand"
ROLE: Final = f"{{{SOAP12}}}role"
NOT_UNDERSTOOD: Final = f"{{{SOAP12}}}NotUnderstood"

ROLE_NEXT: Final = f"{SOAP12}/role/next"
ROLE_ULTIMATE_RECEIVER: Final = f"{SOAP12}/role/ultimateReceiver"
ROLE_NONE: Final = f"{SOAP12}/role/none"

FAULT_CODES: Final = frozenset(
    {"VersionMismatch", "MustUnderstand", "DataEncodingUnknown", "Sender", "Receiver"}
)

WSA_ACTION: Final = f"{{{WSA}}}Action"
WSA_TO: Final = f"{{{WSA}}}To"
WSA_MESSAGE_ID: Final = f"{{{WSA}}}MessageID"
WSA_REPLY_TO: Final = f"{{{WSA}}}ReplyTo"
WSA_FAULT_TO: Final = f"{{{WSA}}}FaultTo"
WSA_FROM: Final = f"{{{WSA}}}From"
WSA_RELATES_TO: Final = f"{{{WSA}}}RelatesTo"
WSA_ADDRESS: Final = f"{{{WSA}}}Address"
WSA_ANONYMOUS: Final = f"{WSA}/anonymous"
WSA_REPLY_RELATIONSHIP: Final = f"{WSA}/reply"
WSA_FAULT_ACTION: Final = f"{WSA}/soap/fault"
WSA_HEADER_REQUIRED: Final = f"{{{WSA}}}MessageAddressingHeaderRequired"
WSA_INVALID_HEADER: Final = f"{{{WSA}}}InvalidAddressingHeader"

WSSE_SECURITY: Final = f"{{{WSSE}}}Security"

NSMAP: Final = {"soap": SOAP12, "wsa": WSA}
