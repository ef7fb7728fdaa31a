"""The local SI DMP as an ASGI application: SOAP 1.2 endpoints dispatched through the catalogue.

``POST /si-dmp-server/v2/services/{service}``: read the body (plain SOAP or MTOM), check the
envelope and WS-Addressing, resolve the transaction from the Action (and reason code, body or
caller where several share it), authenticate the structure (TLS client certificate from the
ASGI TLS extension) and the user (VIHF), apply the functional rights, run the handler, answer
in the DMP's format, and record an access trace. ``GET /si-dmp-server/web/...`` is the web view.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from dmpkit import mtom, testmode
from dmpkit.catalogue import Catalogue, Service, Transaction, load_catalogue
from dmpkit.pki import TrustStore
from dmpkit.simulator import web
from dmpkit.simulator.caller import Caller
from dmpkit.simulator.context import RequestContext
from dmpkit.simulator.errors import Carrier, DmpRefusalError, ErrorCatalogue, load_error_catalogue
from dmpkit.simulator.handlers import (
    habilitations,
    patients,
    patients_specific,
    query,
    repository,
    update,
    xds,
)
from dmpkit.simulator.handlers.hl7 import reason_code
from dmpkit.simulator.rules.identity import IdentityRules
from dmpkit.simulator.rules.matrix import AuthorisationMatrix, load_matrix
from dmpkit.simulator.rules.rights import RightsMatrix, load_rights
from dmpkit.simulator.seed import SeedData, load_seed
from dmpkit.simulator.storage import Storage, TraceRecord
from dmpkit.soap import (
    Addressing,
    AddressingError,
    EnvelopeError,
    MustUnderstandError,
    ParsedEnvelope,
    SoapError,
    VersionMismatchError,
    build_envelope,
    build_fault,
    parse_envelope,
    serialize,
)
from dmpkit.xmlparse import XmlSecurityError

__all__ = ["Simulator", "SimulatorOptions"]

logger = logging.getLogger("dmpkit.simulator")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Handler = Callable[[RequestContext], etree._Element]

HANDLERS: dict[str, Handler] = {
    **patients.HANDLERS,
    **habilitations.HANDLERS,
    **patients_specific.HANDLERS,
    "TD2.1": repository.provide_and_register,
    "TD2.2": repository.provide_and_register,
    "TD3.1": query.registry_stored_query,
    "TD3.2": repository.retrieve_document_set,
    **update.HANDLERS,
}
_REFUSAL_BODIES = {
    Carrier.HL7V3: patients.refusal_body,
    Carrier.STATUS: habilitations.refusal_body,
    Carrier.REGISTRY: xds.refusal_body,
}
_CARRIER_OF_SERVICE = {
    Service.PATIENTS: Carrier.HL7V3,
    Service.HABILITATIONS: Carrier.STATUS,
    Service.PATIENTS_SPECIFIC: Carrier.STATUS,
    Service.REGISTRY: Carrier.REGISTRY,
    Service.REPOSITORY: Carrier.REGISTRY,
}
_SOAP_TYPE = "application/soap+xml; charset=UTF-8"


@dataclass(frozen=True)
class SimulatorOptions:
    """Switches of the server's rules.

    Attributes:
        require_signature: refuse an ITI-41 without a XAdES submission-set signature (§3.6).
        validate_metadata: run the project's metadata validator on every ITI-41.
        check_vihf_claims: validate VIHF claims against §2.3 and the value sets.
        validate_cda: run the project's CDA validator (XSD, structuration minimale, document
            type) on every submitted document that is a ClinicalDocument.
        max_body_bytes: the largest request accepted.
    """

    require_signature: bool = True
    validate_metadata: bool = True
    check_vihf_claims: bool = True
    validate_cda: bool = True
    max_body_bytes: int = 64 * 1024 * 1024


@dataclass
class Reply:
    """An HTTP answer."""

    status: int
    content_type: str
    body: bytes


class Simulator:
    """The local SI DMP (an ASGI application).

    Args:
        storage: the database (seeded by the caller, see :func:`dmpkit.simulator.create_app`).
        trust: anchors for TLS client certificates, VIHF and XAdES signatures (the test CA).
        catalogue: the transaction catalogue (default: the shipped one).
        seed: the seed data (directory of professionals).
        options: rule switches.
        rights: the functional-rights matrix (default: rights.toml).
        matrix: the authorisation matrix (default: authorisation-matrix.toml).
    """

    def __init__(self, storage: Storage, trust: TrustStore, *, catalogue: Catalogue | None = None,
                 seed: SeedData | None = None, options: SimulatorOptions | None = None,
                 rights: RightsMatrix | None = None, matrix: AuthorisationMatrix | None = None
                 ) -> None:
        self.storage = storage
        self.trust = trust
        self.catalogue = catalogue or load_catalogue()
        self.seed = seed or load_seed()
        self.options = options or SimulatorOptions()
        self.rights = rights or load_rights()
        self.matrix = matrix or load_matrix()
        self.errors: ErrorCatalogue = load_error_catalogue()
        self.identity = IdentityRules(trust, self.seed.directory(),
                                      check_claims=self.options.check_vihf_claims)
        self._base = self.catalogue.base_path.rstrip("/") + "/"

    # --- ASGI -------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point (HTTP only; lifespan acknowledged)."""
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        path: str = scope.get("path", "")
        method: str = scope.get("method", "GET")
        if method == "GET" and path.startswith(web.PREFIX):
            status, html = web.render(self, path[len(web.PREFIX):])
            await _send(send, Reply(status, "text/html; charset=utf-8", html.encode()))
            return
        if not path.startswith(self._base) or method != "POST":
            await _send(send, Reply(404, "text/plain", b"not a SI DMP endpoint"))
            return
        body, too_large = await _read_body(receive, self.options.max_body_bytes)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        tls = (scope.get("extensions") or {}).get("tls")
        if too_large:
            reply = self._fault(DmpRefusalError("soap.envelope_invalid", "message trop volumineux"),
                                None)
        else:
            reply = self.handle(path[len(self._base):], headers.get("content-type", ""), body,
                                tls)
        await _send(send, reply)

    # --- dispatch ---------------------------------------------------------------------------
    def handle(self, service_name: str, content_type: str, body: bytes,
               tls: MutableMapping[str, Any] | None) -> Reply:
        """Answer one SOAP request (synchronously; usable without an ASGI server)."""
        try:
            service = Service(service_name)
        except ValueError:
            return Reply(404, "text/plain", b"unknown SI DMP service")
        envelope: ParsedEnvelope | None = None
        transaction: Transaction | None = None
        caller: Caller | None = None
        ctx: RequestContext | None = None
        try:
            envelope = self._envelope(content_type, body)
            multipart = mtom.is_multipart(content_type)
            action = envelope.addressing.action if envelope.addressing else ""
            candidates = [t for t in self.catalogue.by_action(service, action) if t.supported]
            if not candidates:
                raise DmpRefusalError("addressing.action_not_supported",
                                 f"{action} sur le service {service.value}")
            payload = envelope.body_payload
            transaction = self._pre_select(candidates, payload)
            caller = self.identity.caller(envelope, tls, transaction)
            transaction = self._post_select(candidates, transaction, payload, caller)
            if transaction.mtom_request.value == "required" and not multipart:
                raise DmpRefusalError("transport.mtom_required",
                                      f"{transaction.id} doit être envoyé en MTOM/XOP")
            if transaction.request_root and payload.tag != transaction.request_root:
                raise DmpRefusalError("soap.body_invalid",
                                 f"élément {payload.tag} reçu, {transaction.request_root} attendu")
            patient = self.storage.patient(caller.patient_ins or "")
            medecin_traitant = patient is not None and patient.medecin_traitant == \
                caller.professional
            key = "hl7.rights_denied" if service is Service.PATIENTS else "rights.denied"
            self.rights.check(transaction.id, caller, medecin_traitant=medecin_traitant, key=key)
            ctx = RequestContext(self, caller, transaction, payload, testmode.now())
            handler = HANDLERS.get(transaction.id)
            if handler is None:
                raise DmpRefusalError("addressing.action_not_supported",
                                      f"{transaction.id} n'est pas simulé")
            result = handler(ctx)
            reply = self._answer(transaction, envelope, result, ctx)
            self._trace(caller, transaction, "OK", ctx.outcome.detail)
            return reply
        except DmpRefusalError as refusal:
            reply = self._refusal(refusal, service, transaction, envelope)
            code = self.errors[refusal.key].code or refusal.key
            self._trace(caller, transaction, f"REFUS {code}", refusal.detail, tls)
            return reply
        except Exception as exc:  # a hostile input must get a fault, not a crash
            logger.exception("simulator: unexpected error in %s", service.value)
            internal = DmpRefusalError("server.internal", type(exc).__name__)
            self._trace(caller, transaction, "ERREUR", type(exc).__name__, tls)
            return self._fault(internal, envelope)

    def _envelope(self, content_type: str, body: bytes) -> ParsedEnvelope:
        try:
            if mtom.is_multipart(content_type):
                decoded = mtom.decode(content_type, body)
                root = decoded.root_element(inline=True)
                data = etree.tostring(root)
            else:
                data = body
            return parse_envelope(data, require_addressing=True)
        except VersionMismatchError as exc:
            raise DmpRefusalError("soap.version_mismatch", str(exc)) from None
        except MustUnderstandError as exc:
            raise DmpRefusalError("soap.must_understand", ", ".join(exc.not_understood)) from None
        except AddressingError as exc:
            raise DmpRefusalError("addressing.missing", str(exc)) from None
        except (EnvelopeError, SoapError, XmlSecurityError, mtom.MtomError) as exc:
            raise DmpRefusalError("soap.envelope_invalid", f"{type(exc).__name__}: {exc}") from None

    def _pre_select(self, candidates: list[Transaction], payload: etree._Element
                    ) -> Transaction:
        if len(candidates) == 1:
            return candidates[0]
        first = candidates[0]
        if first.reason_code is not None:
            code = reason_code(payload)
            for transaction in candidates:
                if transaction.reason_code == code:
                    return transaction
            raise DmpRefusalError("soap.body_invalid",
                             f"controlActProcess/reasonCode {code!r} inconnu pour cette action")
        if first.service is Service.HABILITATIONS:
            return habilitations.select_variant(candidates, payload)
        return first  # TD2.x and TD3.3x need the caller: see _post_select

    def _post_select(self, candidates: list[Transaction], chosen: Transaction,
                     payload: etree._Element, caller: Caller) -> Transaction:
        ids = {t.id for t in candidates}
        if ids == {"TD2.1", "TD2.2"}:
            return repository.select_variant(candidates, caller.auth_mode)
        if "TD3.3a" in ids:
            context = RequestContext(self, caller, chosen, payload, testmode.now())
            return update.select_variant(candidates, payload, context)
        return chosen

    # --- answers ----------------------------------------------------------------------------
    def _answer(self, transaction: Transaction, envelope: ParsedEnvelope,
                result: etree._Element, ctx: RequestContext | None) -> Reply:
        action = transaction.response_action or ""
        request_id = envelope.addressing.message_id if envelope.addressing else None
        answer = build_envelope(result, addressing=Addressing(action=action,
                                                               relates_to=request_id))
        if transaction.mtom_response.value == "required":
            parts = [mtom.MtomPart(cid, media, data)
                     for cid, (media, data) in (ctx.attachments if ctx else {}).items()]
            message = mtom.encode(serialize(answer), parts, action=action)
            return Reply(200, message.content_type, message.body)
        return Reply(200, f'{_SOAP_TYPE}; action="{action}"', serialize(answer))

    def _refusal(self, refusal: DmpRefusalError, service: Service, transaction: Transaction | None,
                 envelope: ParsedEnvelope | None) -> Reply:
        entry = self.errors[refusal.key]
        carrier = entry.carrier
        if carrier is Carrier.SOAP_FAULT or transaction is None or envelope is None:
            return self._fault(refusal, envelope, mtom_reply=transaction is not None
                               and transaction.mtom_response.value == "required")
        expected = _CARRIER_OF_SERVICE.get(service)
        if carrier is not expected:
            # a refusal of another family (e.g. a status error on the patients service)
            return self._fault(refusal, envelope)
        body = _REFUSAL_BODIES[carrier](transaction, envelope.body_payload, entry, refusal)
        return self._answer(transaction, envelope, body, None)

    def _fault(self, refusal: DmpRefusalError, envelope: ParsedEnvelope | None, *,
               mtom_reply: bool = False) -> Reply:
        entry = self.errors[refusal.key]
        request_id = envelope.addressing.message_id if envelope and envelope.addressing else None
        action = "http://www.w3.org/2005/08/addressing/soap/fault"
        fault = build_fault(entry.fault, entry.text(refusal.detail),
                            subcodes=(entry.subcode,) if entry.subcode else (),
                            addressing=Addressing(action=action, relates_to=request_id),
                            not_understood=refusal.detail.split(", ")
                            if refusal.key == "soap.must_understand" else ())
        if mtom_reply:
            # ITI-43 answers are multipart even for a fault (REFERENCE §10.2)
            message = mtom.encode(serialize(fault), [], action=action)
            return Reply(500, message.content_type, message.body)
        return Reply(500, _SOAP_TYPE, serialize(fault))

    def _trace(self, caller: Caller | None, transaction: Transaction | None, outcome: str,
               detail: str, tls: MutableMapping[str, Any] | None = None) -> None:
        structure = caller.structure if caller else ""
        if caller is None and tls:
            try:  # the structure is known as soon as its certificate is, even if the VIHF fails
                structure = self.identity.structure(tls)
            except DmpRefusalError:
                structure = "?"
        record = TraceRecord(
            at=testmode.now().isoformat(timespec="seconds"),
            professional=caller.professional if caller else "?",
            structure=structure,
            role=caller.role_label if caller else "",
            access_mode=caller.access_mode.value if caller else "",
            auth_mode=caller.auth_mode.value if caller else "",
            ins=(caller.patient_ins or "") if caller else "",
            transaction=transaction.id if transaction else "?",
            outcome=outcome,
            detail=detail[:300],
            secret=caller.secret if caller else False,
        )
        try:
            self.storage.add_trace(record)
        except Exception:  # a trace failure must not turn into a crash
            logger.exception("simulator: cannot record the access trace")


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    too_large = False
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            too_large = True
        elif chunk:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), too_large


async def _send(send: Send, reply: Reply) -> None:
    await send({"type": "http.response.start", "status": reply.status,
                "headers": [(b"content-type", reply.content_type.encode("latin-1")),
                            (b"content-length", str(len(reply.body)).encode("ascii"))]})
    await send({"type": "http.response.body", "body": reply.body})
