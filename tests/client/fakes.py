"""A scripted SI DMP for the client core tests: it answers what each test tells it to.

It records every request it receives (Action, Content-Type, parsed envelope, VIHF claims) and
answers with a payload wrapped in a SOAP 1.2 envelope carrying the response Action, or with a
fault, or with a bare HTTP status, so the tests can check the client's side of each case.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from dmpkit import mtom
from dmpkit.soap import Addressing, build_envelope, build_fault, parse_envelope, serialize
from dmpkit.vihf import VihfClaims, claims_from_assertion
from dmpkit.xmlparse import parse_xml

SAML_ASSERTION = "{urn:oasis:names:tc:SAML:2.0:assertion}Assertion"


@dataclass
class Received:
    """One request as the fake server saw it."""

    path: str
    content_type: str
    action: str | None
    payload: etree._Element
    claims: VihfClaims | None
    multipart: bool


@dataclass
class Answer:
    """What to answer: a payload with a response Action, a fault, or a bare status."""

    payload: bytes | None = None
    action: str | None = None
    status: int = 200
    fault: tuple[str, str, tuple[str, ...]] | None = None
    raw: bytes | None = None
    content_type: str = "application/soap+xml; charset=UTF-8"


@dataclass
class FakeDmp:
    """An ASGI app answering from a queue of :class:`Answer` (the last one repeats)."""

    answers: list[Answer] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    async def __call__(self, scope: MutableMapping[str, Any],
                       receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
                       send: Callable[[MutableMapping[str, Any]], Awaitable[None]]) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self._record(scope["path"], headers.get("content-type", ""), body)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        status, content_type, content = self._render(answer)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type.encode())]})
        await send({"type": "http.response.body", "body": content})

    def _record(self, path: str, content_type: str, body: bytes) -> None:
        multipart = mtom.is_multipart(content_type)
        root = (mtom.decode(content_type, body).root_element(inline=True) if multipart
                else parse_xml(body))
        envelope = parse_envelope(serialize(root))
        assertion = None if envelope.security is None else envelope.security.find(SAML_ASSERTION)
        self.received.append(Received(
            path, content_type, envelope.addressing.action if envelope.addressing else None,
            envelope.body_payload,
            claims_from_assertion(assertion) if assertion is not None else None, multipart))

    @staticmethod
    def _render(answer: Answer) -> tuple[int, str, bytes]:
        if answer.raw is not None:
            return answer.status, answer.content_type, answer.raw
        if answer.fault is not None:
            code, reason, subcodes = answer.fault
            return 500, answer.content_type, serialize(build_fault(code, reason,
                                                                   subcodes=subcodes))
        assert answer.payload is not None and answer.action is not None
        envelope = build_envelope(parse_xml(answer.payload),
                                  addressing=Addressing(action=answer.action))
        return answer.status, answer.content_type, serialize(envelope)
