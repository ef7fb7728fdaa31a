"""The error catalogue (``specs/dmp/errors.toml``) and the refusal the rules raise.

A rule refuses a request by raising :class:`DmpRefusalError` with a catalogue key; the handler of
the service turns it into the DMP's own format for that carrier (SOAP fault, HL7 v3
acknowledgement, proprietary status, XDS RegistryErrorList), always from the catalogue entry.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from dmpkit.errors import DmpkitError
from dmpkit.simulator.data import SimulatorDataError, data_path, load_toml

__all__ = [
    "Carrier",
    "DmpRefusalError",
    "ErrorCatalogue",
    "ErrorEntry",
    "Origin",
    "load_error_catalogue",
]


class Carrier(StrEnum):
    """How an error travels back to the LPS."""

    SOAP_FAULT = "soap_fault"
    HL7V3 = "hl7v3"
    STATUS = "status"
    REGISTRY = "registry"


class Origin(StrEnum):
    """Whose code it is: the real DMP's, a public standard's, or the simulator's own."""

    DMP = "dmp"
    STANDARD = "standard"
    SERVER = "server"


@dataclass(frozen=True, slots=True)
class ErrorEntry:
    """One situation of the catalogue.

    Attributes:
        key: the situation (``vihf.missing``).
        carrier: how it travels.
        code: the code sent (``wsse:FailedCheck``, ``DMPFound``, ``XDSRegistryMetadataError``).
        origin: whose code it is.
        message: the French reason template with ``{detail}``.
        source: certainty tag and citation.
        fault: the SOAP 1.2 Code value for a fault.
        subcode: the fault Subcode in Clark notation ("" for none).
    """

    key: str
    carrier: Carrier
    code: str
    origin: Origin
    message: str
    source: str
    fault: str = "Sender"
    subcode: str = ""

    def text(self, detail: str) -> str:
        """The reason for one occurrence."""
        return self.message.replace("{detail}", detail)


@dataclass(frozen=True)
class ErrorCatalogue:
    """Every error the simulator answers, by key."""

    entries: dict[str, ErrorEntry]

    def __getitem__(self, key: str) -> ErrorEntry:
        try:
            return self.entries[key]
        except KeyError:
            raise SimulatorDataError(f"error {key!r} is not in errors.toml") from None


class DmpRefusalError(DmpkitError):
    """A rule refused the request; ``key`` names the catalogue entry.

    Attributes:
        key: the errors.toml key.
        detail: what exactly was wrong (no patient data, no secret).
        location: where in the message (for RegistryError@location).
    """

    def __init__(self, key: str, detail: str, *, location: str = "",
                 more: Sequence[tuple[str, str, str]] = ()) -> None:
        super().__init__(f"{key}: {detail}")
        self.key = key
        self.detail = detail
        self.location = location
        # further (errorCode, codeContext, location) of the same refusal (RegistryErrorList)
        self.more = tuple(more)


@functools.cache
def load_error_catalogue(path: Path | None = None) -> ErrorCatalogue:
    """Read and check errors.toml.

    Raises:
        SimulatorDataError: malformed file (unknown carrier or origin, duplicate key, a DMPKIT
            code not marked ``server`` or the reverse).
    """
    source = path or data_path("errors.toml")
    data = load_toml(source)
    prefixes: dict[str, str] = data.get("prefixes", {})
    entries: dict[str, ErrorEntry] = {}
    for raw in data.get("error", []):
        try:
            key, code = raw["key"], raw["code"]
            entry = ErrorEntry(key, Carrier(raw["carrier"]), code, Origin(raw["origin"]),
                               raw["message"], raw["source"], raw.get("fault", "Sender"),
                               _clark(code, prefixes))
        except (KeyError, ValueError) as exc:
            raise SimulatorDataError(f"{source}: bad error entry {raw!r}: {exc}") from None
        if key in entries:
            raise SimulatorDataError(f"{source}: duplicate error key {key!r}")
        if code.startswith("DMPKIT_") != (entry.origin is Origin.SERVER):
            raise SimulatorDataError(
                f"{source}: {key}: own codes start with DMPKIT_ and are the only 'server' ones")
        entries[key] = entry
    return ErrorCatalogue(entries)


def _clark(code: str, prefixes: dict[str, str]) -> str:
    prefix, _, local = code.rpartition(":")
    if not prefix:
        return code
    if prefix not in prefixes:
        raise ValueError(f"code {code!r} uses a prefix not declared in [prefixes]")
    return f"{{{prefixes[prefix]}}}{local}"
