"""What a handler receives: the request, its caller and transaction, and the server's services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from lxml import etree

from dmpkit.catalogue import Transaction
from dmpkit.simulator.caller import Caller

if TYPE_CHECKING:
    from dmpkit.simulator.app import Simulator

__all__ = ["Outcome", "RequestContext"]


@dataclass
class Outcome:
    """What the trace records of one request (filled in by the handler)."""

    result: str = "OK"
    detail: str = ""


@dataclass
class RequestContext:
    """One request being handled.

    Attributes:
        simulator: the server (storage, rules, catalogues).
        caller: the authenticated caller.
        transaction: the catalogue entry the request designates.
        payload: the SOAP Body child.
        now: the instant of the request (test clock in test mode).
        outcome: filled in by the handler for the trace.
    """

    simulator: Simulator
    caller: Caller
    transaction: Transaction
    payload: etree._Element
    now: datetime
    outcome: Outcome = field(default_factory=Outcome)
    # documents returned as MTOM parts (ITI-43): cid -> (content type, bytes)
    attachments: dict[str, tuple[str, bytes]] = field(default_factory=dict)
