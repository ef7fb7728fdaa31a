"""The DMP transaction catalogue: what each TD is, where it goes and what it carries.

The facts live in one data file, ``specs/dmp/transactions.toml`` (shipped inside the wheel as
``dmpkit/_specs/dmp/transactions.toml``); the transport, the client, the local server and the
docs all read them through :func:`load_catalogue`. Loading checks the file and refuses a
malformed one with a :class:`CatalogueFormatError` that names the entry at fault.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from dmpkit.errors import DmpkitError

__all__ = [
    "AccessMode",
    "AmbiguousTransactionError",
    "AuthMode",
    "Catalogue",
    "CatalogueError",
    "CatalogueFormatError",
    "Certainty",
    "Mtom",
    "Scope",
    "Service",
    "SourcedFact",
    "Transaction",
    "UnknownTransactionError",
    "default_catalogue_path",
    "load_catalogue",
]

_FILE_NAME = "transactions.toml"
_E = TypeVar("_E", bound=StrEnum)
_SUPPORTED_FORMAT = 1


class CatalogueError(DmpkitError):
    """A problem with the transaction catalogue or a lookup in it."""


class CatalogueFormatError(CatalogueError):
    """The catalogue file is malformed.

    Attributes:
        entry: the id of the transaction at fault, or None for a file-level problem.
    """

    def __init__(self, origin: str, entry: str | None, problem: str) -> None:
        where = f"{origin}, entry {entry!r}" if entry else origin
        super().__init__(f"{where}: {problem}")
        self.entry = entry


class UnknownTransactionError(CatalogueError, KeyError):
    """No transaction matches the id, name, TD number or action asked for."""

    def __str__(self) -> str:
        # KeyError would quote the message; keep it readable.
        return str(self.args[0]) if self.args else ""


class AmbiguousTransactionError(CatalogueError):
    """Several transactions share an action and nothing given tells them apart."""


class Service(StrEnum):
    """A SOAP service of the SI DMP, the last segment of its path (REFERENCE §1.2)."""

    PATIENTS = "patients"
    PATIENTS_SPECIFIC = "patientsSpecific"
    PATIENT_CERTIF = "patientCertif"
    PATIENTS_PDQ = "patientsPDQ"
    HABILITATIONS = "habilitations"
    REGISTRY = "registry"
    REPOSITORY = "repository"


class Scope(StrEnum):
    """Whether dmpkit implements a transaction."""

    SUPPORTED = "supported"
    OUT_OF_SCOPE = "out_of_scope"
    # No message of its own: carried by every transaction (TD0.1 authentication).
    CROSS_CUTTING = "cross_cutting"


class Mtom(StrEnum):
    """How a message travels: plain SOAP, either, or MTOM/XOP only."""

    NONE = "none"
    ALLOWED = "allowed"
    REQUIRED = "required"


class AuthMode(StrEnum):
    """How the caller is authenticated (REFERENCE §2.2, §10.3)."""

    DIRECT_CPS = "direct_cps"
    DIRECT_CPE = "direct_cpe"
    INDIRECT = "indirect"
    AIR = "air"


class AccessMode(StrEnum):
    """The VIHF purposeofuse code (TRE_R248 ModeAcces, REFERENCE §2.3)."""

    NORMAL = "normal"
    BRIS_DE_GLACE = "bris_de_glace"
    CENTRE_15 = "centre_15"


class Certainty(StrEnum):
    """How sure a fact is, with the tags of REFERENCE §0 and §10."""

    CERTAIN = "C"
    GIE_PACKAGE = "C*"
    SECONDARY = "C-sec"
    OBSERVED = "X"
    INFERRED = "I"
    NOT_FOUND = "NF"


@dataclass(frozen=True)
class SourcedFact:
    """Where one fact of the catalogue comes from.

    Attributes:
        certainties: every tag the citation carries, strongest evidence first as written.
        citation: the text after the tags (REFERENCE section, source key).
    """

    certainties: tuple[Certainty, ...]
    citation: str


@dataclass(frozen=True)
class Transaction:
    """One DMP transaction (or one client operation of a TD that has several).

    Attributes:
        id: unique key, the TD number with a ``-variant`` suffix when a TD has several entries.
        td: the official TD number.
        name: snake_case client method name, unique.
        purpose: English purpose with the French term.
        standard: the standard and interaction.
        service: the SI DMP service, None when the TD has no web-service message.
        request_action: the WS-Addressing Action the LPS sends.
        alternate_request_actions: other request Actions a server must accept.
        response_action: the WS-Addressing Action of the answer.
        alternate_response_actions: other answer Actions a client must accept.
        request_root: root element of the request body, ``{namespace}local``.
        response_roots: possible answer roots, the normal one first.
        reason_code: HL7 v3 controlActProcess/reasonCode telling TDs apart, if any.
        distinguished_by: how the entry differs from others sharing its action, if needed.
        mtom_request: how the request travels.
        mtom_response: how the answer travels.
        idempotent: a repeat has the same effect, so the transport may retry it.
        patient_scoped: the VIHF carries the patient (resource-id).
        vihf_required: VIHF attribute names the call must carry.
        auth_modes: accepted authentication modes; empty when no restriction is known.
        access_modes: accepted purposeofuse codes; empty when no restriction is known.
        rights: the functional-rights summary that applies, if any.
        scope: whether dmpkit implements it.
        scope_reason: why not, when it does not.
        sources: field name -> where the fact comes from.
    """

    id: str
    td: str
    name: str
    purpose: str
    standard: str
    service: Service | None
    request_action: str | None
    alternate_request_actions: tuple[str, ...]
    response_action: str | None
    alternate_response_actions: tuple[str, ...]
    request_root: str | None
    response_roots: tuple[str, ...]
    reason_code: str | None
    distinguished_by: str | None
    mtom_request: Mtom
    mtom_response: Mtom
    idempotent: bool
    patient_scoped: bool
    vihf_required: tuple[str, ...]
    auth_modes: frozenset[AuthMode]
    access_modes: frozenset[AccessMode]
    rights: str | None
    scope: Scope
    scope_reason: str | None
    # Mappings are unhashable: leave them out of the hash, keep them in equality.
    sources: Mapping[str, SourcedFact] = field(repr=False, hash=False)

    @property
    def supported(self) -> bool:
        """True when dmpkit implements this transaction."""
        return self.scope is Scope.SUPPORTED

    @property
    def request_actions(self) -> tuple[str, ...]:
        """Every request Action that designates this transaction, the usual one first."""
        if self.request_action is None:
            return ()
        return (self.request_action, *self.alternate_request_actions)

    @property
    def response_actions(self) -> tuple[str, ...]:
        """Every answer Action a client must accept, the usual one first."""
        if self.response_action is None:
            return ()
        return (self.response_action, *self.alternate_response_actions)

    def allows_auth_mode(self, mode: AuthMode) -> bool:
        """True unless the catalogue knows the SI DMP refuses ``mode`` for this transaction."""
        return not self.auth_modes or mode in self.auth_modes

    def allows_access_mode(self, mode: AccessMode) -> bool:
        """True unless the catalogue knows the SI DMP refuses ``mode`` for this transaction."""
        return not self.access_modes or mode in self.access_modes


@dataclass(frozen=True)
class Catalogue:
    """Every DMP transaction, with lookups.

    Attributes:
        transactions: the entries, in file order.
        base_path: the path the service names are appended to (``/si-dmp-server/v2/services``).
        reason_code_system: OID of the HL7 v3 reasonCode values.
        interaction_id_root: OID of HL7 v3 interaction ids.
        vihf_common: VIHF attributes every call carries.
        vihf_conditional: VIHF attribute -> when it is required.
        origin: where the catalogue was read from.
    """

    transactions: tuple[Transaction, ...]
    base_path: str
    reason_code_system: str
    interaction_id_root: str
    vihf_common: tuple[str, ...]
    vihf_conditional: Mapping[str, str] = field(hash=False)
    origin: str
    _by_id: Mapping[str, Transaction] = field(init=False, repr=False, compare=False)
    _by_name: Mapping[str, Transaction] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {t.id: t for t in self.transactions})
        object.__setattr__(self, "_by_name", {t.name: t for t in self.transactions})

    def get(self, transaction_id: str) -> Transaction:
        """The transaction with this id (e.g. ``"TD3.1"``, ``"TD0.3-declare"``).

        Raises:
            UnknownTransactionError: no such id.
        """
        try:
            return self._by_id[transaction_id]
        except KeyError:
            raise UnknownTransactionError(
                f"no transaction with id {transaction_id!r} in {self.origin}; "
                f"known ids: {', '.join(self._by_id)}"
            ) from None

    def by_name(self, name: str) -> Transaction:
        """The transaction whose client method name is ``name``.

        Raises:
            UnknownTransactionError: no such name.
        """
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownTransactionError(
                f"no transaction named {name!r} in {self.origin}"
            ) from None

    def by_td(self, td: str) -> tuple[Transaction, ...]:
        """Every entry of one official TD number (TD0.3 has three).

        Raises:
            UnknownTransactionError: no entry has this TD number.
        """
        found = tuple(t for t in self.transactions if t.td == td)
        if not found:
            raise UnknownTransactionError(f"no transaction with TD number {td!r}")
        return found

    def by_action(self, service: Service | str, action: str) -> tuple[Transaction, ...]:
        """Every entry a request on ``service`` with this Action may be, alternates included.

        Returns an empty tuple when none matches (an unknown Action is the caller's to report).
        """
        wanted = Service(service)
        return tuple(
            t for t in self.transactions if t.service is wanted and action in t.request_actions
        )

    def resolve(
        self,
        service: Service | str,
        action: str,
        *,
        reason_code: str | None = None,
        auth_mode: AuthMode | None = None,
    ) -> Transaction:
        """The one supported transaction a request designates.

        Args:
            service: the service the request reached.
            action: its WS-Addressing Action.
            reason_code: the HL7 v3 controlActProcess/reasonCode, for shared interactions.
            auth_mode: the caller's authentication mode, for TD2.1 vs TD2.2.

        Raises:
            UnknownTransactionError: nothing supported matches.
            AmbiguousTransactionError: several match; the message says what tells them apart.
        """
        candidates = [t for t in self.by_action(service, action) if t.supported]
        if not candidates:
            raise UnknownTransactionError(
                f"no supported transaction for Action {action!r} on service {service!s}"
            )
        if reason_code is not None and any(t.reason_code for t in candidates):
            candidates = [t for t in candidates if t.reason_code == reason_code]
        if auth_mode is not None and len(candidates) > 1:
            candidates = [t for t in candidates if t.allows_auth_mode(auth_mode)]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise UnknownTransactionError(
                f"Action {action!r} on service {service!s} with reason code {reason_code!r} "
                f"and authentication {auth_mode!s} matches no supported transaction"
            )
        choices = "; ".join(
            f"{t.id}: {t.reason_code or t.distinguished_by or '?'}" for t in candidates
        )
        raise AmbiguousTransactionError(
            f"Action {action!r} on service {service!s} is shared by {len(candidates)} "
            f"transactions, told apart by: {choices}"
        )

    def supported(self) -> tuple[Transaction, ...]:
        """The transactions dmpkit implements, in file order."""
        return tuple(t for t in self.transactions if t.supported)

    def service_path(self, service: Service | str) -> str:
        """The URL path of a service, e.g. ``/si-dmp-server/v2/services/registry``."""
        return f"{self.base_path}/{Service(service).value}"


# --- loading -----------------------------------------------------------------------------

_TAG = re.compile(r"\[(C\*|C-sec|C|X|I|NF)\]")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TD = re.compile(r"^TD\d+\.\d+[a-z]?$")
_ID = re.compile(r"^TD\d+\.\d+[a-z]?(-[a-z][a-z0-9-]*)?$")
_CLARK = re.compile(r"^\{[^{}\s]+\}[A-Za-z_][\w.\-]*$")

_STRING_FIELDS = ("purpose", "standard")
_OPTIONAL_STRING_FIELDS = (
    "td",
    "request_action",
    "response_action",
    "request_root",
    "reason_code",
    "distinguished_by",
    "rights",
    "scope_reason",
)
_LIST_FIELDS = (
    "alternate_request_actions",
    "alternate_response_actions",
    "response_roots",
    "auth_modes",
    "access_modes",
)
_BOOL_FIELDS = ("idempotent", "patient_scoped")
_KNOWN_FIELDS = frozenset(
    {"id", "name", "service", "scope", "mtom_request", "mtom_response", "sources"}
    | set(_STRING_FIELDS)
    | set(_OPTIONAL_STRING_FIELDS)
    | set(_LIST_FIELDS)
    | set(_BOOL_FIELDS)
)
# Needed before the transport, client or server can handle a supported entry.
_REQUIRED_WHEN_SUPPORTED = (
    "service",
    "request_action",
    "response_action",
    "request_root",
    "response_roots",
    "idempotent",
    "patient_scoped",
)


def default_catalogue_path() -> Path:
    """Where the catalogue shipped with dmpkit is.

    The wheel carries it as package data; a source checkout has it under ``specs/dmp``.

    Raises:
        CatalogueError: neither copy is present (a broken installation).
    """
    packaged = importlib.resources.files("dmpkit").joinpath("_specs").joinpath("dmp")
    packaged = packaged.joinpath(_FILE_NAME)
    if packaged.is_file():
        return Path(str(packaged))
    # Source checkout: src/dmpkit/catalogue.py -> <repo>/specs/dmp/transactions.toml
    checkout = Path(__file__).resolve().parents[2] / "specs" / "dmp" / _FILE_NAME
    if checkout.is_file():
        return checkout
    raise CatalogueError(
        f"the transaction catalogue is missing: neither dmpkit/_specs/dmp/{_FILE_NAME} "
        f"(installed package) nor {checkout} (source checkout) exists; reinstall dmpkit"
    )


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read and check the transaction catalogue (cached per path).

    Args:
        path: a catalogue file; by default the one shipped with dmpkit.

    Raises:
        CatalogueError: the file is missing or unreadable.
        CatalogueFormatError: the file is malformed (the message names the entry).
    """
    resolved = Path(path) if path is not None else default_catalogue_path()
    return _load_cached(resolved.resolve())


@functools.lru_cache(maxsize=8)
def _load_cached(path: Path) -> Catalogue:
    origin = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"cannot read the transaction catalogue {path}: {exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueFormatError(origin, None, f"not valid UTF-8 TOML: {exc}") from None
    return _build_catalogue(data, origin)


def _build_catalogue(data: Mapping[str, Any], origin: str) -> Catalogue:
    if data.get("format") != _SUPPORTED_FORMAT:
        raise CatalogueFormatError(
            origin, None, f"format is {data.get('format')!r}, this dmpkit reads {_SUPPORTED_FORMAT}"
        )
    base = _table(data, "service_base", origin)
    hl7 = _table(data, "hl7v3", origin)
    vihf = _table(data, "vihf", origin)
    vihf_common = _string_list(vihf.get("required"), "vihf.required", origin, None)
    vihf_patient = _string_list(vihf.get("patient_scoped"), "vihf.patient_scoped", origin, None)
    conditional = vihf.get("conditional", {})
    if not isinstance(conditional, dict) or not all(
        isinstance(v, str) for v in conditional.values()
    ):
        raise CatalogueFormatError(origin, None, "vihf.conditional must map names to text")
    entries = data.get("transaction")
    if not isinstance(entries, list) or not entries:
        raise CatalogueFormatError(origin, None, "no [[transaction]] entries")
    transactions = tuple(
        _build_transaction(entry, index, origin, vihf_common, vihf_patient)
        for index, entry in enumerate(entries)
    )
    _check_unique(transactions, origin)
    return Catalogue(
        transactions=transactions,
        base_path=_required_string(base, "path", "service_base", origin).rstrip("/"),
        reason_code_system=_required_string(hl7, "reason_code_system", "hl7v3", origin),
        interaction_id_root=_required_string(hl7, "interaction_id_root", "hl7v3", origin),
        vihf_common=vihf_common,
        vihf_conditional=MappingProxyType(dict(conditional)),
        origin=origin,
    )


def _table(data: Mapping[str, Any], key: str, origin: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise CatalogueFormatError(origin, None, f"missing [{key}] table")
    return value


def _required_string(table: Mapping[str, Any], key: str, where: str, origin: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueFormatError(origin, None, f"{where}.{key} must be a non-empty string")
    return value


def _string_list(value: Any, key: str, origin: str, entry: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogueFormatError(origin, entry, f"{key} must be a list of non-empty strings")
    if len(set(value)) != len(value):
        raise CatalogueFormatError(origin, entry, f"{key} lists a value twice")
    return tuple(value)


def _enum(kind: type[_E], value: Any, key: str, origin: str, entry: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise CatalogueFormatError(
            origin, entry, f"{key} {value!r} is not one of: {allowed}"
        ) from None


def _build_transaction(
    entry: Any,
    index: int,
    origin: str,
    vihf_common: tuple[str, ...],
    vihf_patient: tuple[str, ...],
) -> Transaction:
    if not isinstance(entry, dict):
        raise CatalogueFormatError(origin, f"#{index + 1}", "a transaction must be a table")
    tid = entry.get("id")
    if not isinstance(tid, str) or not _ID.match(tid):
        raise CatalogueFormatError(
            origin, f"#{index + 1}", f"id {tid!r} must look like 'TD3.1' or 'TD0.3-declare'"
        )
    unknown = sorted(set(entry) - _KNOWN_FIELDS)
    if unknown:
        raise CatalogueFormatError(origin, tid, f"unknown field(s): {', '.join(unknown)}")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise CatalogueFormatError(origin, tid, f"name {name!r} must be snake_case")
    for key in _STRING_FIELDS:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise CatalogueFormatError(origin, tid, f"{key} must be a non-empty string")
    for key in _OPTIONAL_STRING_FIELDS:
        if key in entry and (not isinstance(entry[key], str) or not entry[key].strip()):
            raise CatalogueFormatError(origin, tid, f"{key} must be a non-empty string")
    for key in _BOOL_FIELDS:
        if key in entry and not isinstance(entry[key], bool):
            raise CatalogueFormatError(origin, tid, f"{key} must be true or false")
    lists = {key: _string_list(entry.get(key), key, origin, tid) for key in _LIST_FIELDS}

    scope = _enum(Scope, entry.get("scope"), "scope", origin, tid)
    if scope is Scope.SUPPORTED:
        missing = [key for key in _REQUIRED_WHEN_SUPPORTED if _absent(entry.get(key))]
        if missing:
            raise CatalogueFormatError(
                origin, tid, f"a supported transaction needs: {', '.join(missing)}"
            )
    elif "scope_reason" not in entry:
        raise CatalogueFormatError(origin, tid, f"scope {scope.value} needs a scope_reason")

    td = entry.get("td", tid)
    if not isinstance(td, str) or not _TD.match(td) or not (tid == td or tid.startswith(td + "-")):
        raise CatalogueFormatError(origin, tid, f"td {td!r} is not the TD number of this id")
    service = (
        _enum(Service, entry["service"], "service", origin, tid) if "service" in entry else None
    )
    if service is None and "request_action" in entry:
        raise CatalogueFormatError(origin, tid, "a request_action needs a service")
    request_action = entry.get("request_action")
    if request_action is not None and request_action in lists["alternate_request_actions"]:
        raise CatalogueFormatError(origin, tid, "an alternate request action repeats the main one")
    for key in ("request_root",):
        if key in entry and not _CLARK.match(entry[key]):
            raise CatalogueFormatError(origin, tid, f"{key} {entry[key]!r} is not {{ns}}local")
    for root in lists["response_roots"]:
        if not _CLARK.match(root):
            raise CatalogueFormatError(origin, tid, f"response root {root!r} is not {{ns}}local")
    patient_scoped = bool(entry.get("patient_scoped", False))
    return Transaction(
        id=tid,
        td=td,
        name=name,
        purpose=entry["purpose"],
        standard=entry["standard"],
        service=service,
        request_action=request_action,
        alternate_request_actions=lists["alternate_request_actions"],
        response_action=entry.get("response_action"),
        alternate_response_actions=lists["alternate_response_actions"],
        request_root=entry.get("request_root"),
        response_roots=lists["response_roots"],
        reason_code=entry.get("reason_code"),
        distinguished_by=entry.get("distinguished_by"),
        mtom_request=_enum(Mtom, entry.get("mtom_request", "none"), "mtom_request", origin, tid),
        mtom_response=_enum(
            Mtom, entry.get("mtom_response", "none"), "mtom_response", origin, tid
        ),
        idempotent=bool(entry.get("idempotent", False)),
        patient_scoped=patient_scoped,
        vihf_required=vihf_common + (vihf_patient if patient_scoped else ()),
        auth_modes=frozenset(
            _enum(AuthMode, v, "auth_modes", origin, tid) for v in lists["auth_modes"]
        ),
        access_modes=frozenset(
            _enum(AccessMode, v, "access_modes", origin, tid) for v in lists["access_modes"]
        ),
        rights=entry.get("rights"),
        scope=scope,
        scope_reason=entry.get("scope_reason"),
        sources=_build_sources(entry.get("sources"), origin, tid),
    )


def _absent(value: Any) -> bool:
    # False is a value (idempotent = false); None, "" and [] are not.
    return value is None or (not isinstance(value, bool) and not value)


def _build_sources(value: Any, origin: str, tid: str) -> Mapping[str, SourcedFact]:
    if not isinstance(value, dict) or not value:
        raise CatalogueFormatError(origin, tid, "needs a [transaction.sources] table")
    if "td" not in value:
        raise CatalogueFormatError(origin, tid, "sources must say where the TD number comes from")
    facts: dict[str, SourcedFact] = {}
    for key, text in value.items():
        if key not in _KNOWN_FIELDS or key in ("id", "sources"):
            raise CatalogueFormatError(origin, tid, f"sources names an unknown field {key!r}")
        if not isinstance(text, str):
            raise CatalogueFormatError(origin, tid, f"sources.{key} must be a string")
        tags = tuple(Certainty(match) for match in _TAG.findall(text))
        if not tags or not text.lstrip().startswith("["):
            raise CatalogueFormatError(
                origin, tid, f"sources.{key} must start with a certainty tag such as [C] or [I]"
            )
        citation = " ".join(_TAG.sub("", text).split()).strip(" ;")
        if not citation:
            raise CatalogueFormatError(
                origin, tid, f"sources.{key} must cite where the fact comes from or why"
            )
        facts[key] = SourcedFact(certainties=tags, citation=citation)
    return MappingProxyType(facts)


def _check_unique(transactions: tuple[Transaction, ...], origin: str) -> None:
    seen_ids: set[str] = set()
    seen_names: set[str] = set()
    # (service, action, reason code, discriminator) must point at one entry.
    seen_routes: dict[tuple[Service | None, str, str | None, str | None], str] = {}
    for t in transactions:
        if t.id in seen_ids:
            raise CatalogueFormatError(origin, t.id, "duplicate id")
        if t.name in seen_names:
            raise CatalogueFormatError(origin, t.id, f"duplicate name {t.name!r}")
        seen_ids.add(t.id)
        seen_names.add(t.name)
        for action in t.request_actions:
            route = (t.service, action, t.reason_code, t.distinguished_by)
            if route in seen_routes:
                raise CatalogueFormatError(
                    origin,
                    t.id,
                    f"duplicate action {action!r} on service {t.service}: {seen_routes[route]} "
                    "has it too; give each a reason_code or a distinguished_by",
                )
            seen_routes[route] = t.id
