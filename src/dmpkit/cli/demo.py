"""``dmpkit demo``: the main job, run by ``./scripts/demo``.

The vendor's journey on a local SI DMP started in a temporary folder with a freshly generated
test PKI (served in-process): existence test, creation, authorisation, feeding a PDF as a CDA
N1 document, search, retrieve, masking, replacement and deletion (:mod:`dmpkit.cli.journey`).
``dmpkit demo --smoke`` runs the earlier smoke run instead: find the spec store, load the
generated bindings, round-trip a real IHE message and validate it against its XML schema; it
also runs, with a note, when the local server cannot be loaded. Each step prints one line;
timings are shown except in test mode, so the output is reproducible there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click
from lxml import etree

from dmpkit import bindings, testmode, xsdvalidate
from dmpkit.errors import DmpkitError
from dmpkit.specstore import SpecStoreMissingError, spec_path, spec_store_dir
from dmpkit.xmlparse import parse_xml

__all__ = ["SAMPLE_MESSAGE", "SAMPLE_SCHEMA", "DemoStepError", "demo", "xml_difference"]

# A real ITI-41 request published by IHE, and the schema its root element belongs to.
SAMPLE_MESSAGE = "examples/ihe-xds-b/ProvideAndRegisterDocumentSet-bRequest.xml"
SAMPLE_SCHEMA = "ihe-iti/schema/IHE/XDS.b_DocumentRepository.xsd"


# Hints to a validator about where a schema is, not message content: a round trip may drop them.
_SCHEMA_HINTS = {
    "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation",
    "{http://www.w3.org/2001/XMLSchema-instance}noNamespaceSchemaLocation",
}


class DemoStepError(DmpkitError):
    """One step of the demo failed; the message says what to do about it."""


@dataclass(frozen=True)
class _Step:
    title: str
    run: Callable[[], str]


def _local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def _content_attributes(element: etree._Element) -> dict[str, str]:
    return {
        str(name): str(value)
        for name, value in element.attrib.items()
        if name not in _SCHEMA_HINTS
    }


def xml_difference(
    left: etree._Element, right: etree._Element, location: str | None = None
) -> str | None:
    """The first difference between two XML trees, ignoring prefixes and formatting whitespace.

    Schema location hints (``xsi:schemaLocation``) are not content and are ignored too.

    Args:
        left: the reference tree (e.g. the original message).
        right: the tree to compare with it (e.g. the message after a round trip).
        location: where ``left`` sits, used in the answer (callers leave it out).

    Returns:
        ``None`` when both trees hold the same elements, attributes and text, else a one-line
        description of the first difference with its location.
    """
    here = location or f"/{_local_name(left)}"
    if left.tag != right.tag:
        return f"{here}: element {right.tag} where {left.tag} was expected"
    left_attributes = _content_attributes(left)
    right_attributes = _content_attributes(right)
    if left_attributes != right_attributes:
        return f"{here}: attributes {right_attributes} instead of {left_attributes}"
    left_text, right_text = (left.text or "").strip(), (right.text or "").strip()
    if left_text != right_text:
        return f"{here}: text {right_text!r} instead of {left_text!r}"
    left_children = [child for child in left if isinstance(child.tag, str)]
    right_children = [child for child in right if isinstance(child.tag, str)]
    if len(left_children) != len(right_children):
        return f"{here}: {len(right_children)} child elements instead of {len(left_children)}"
    for position, (a, b) in enumerate(zip(left_children, right_children, strict=True), start=1):
        child_location = f"{here}/{_local_name(a)}[{position}]"
        found = xml_difference(a, b, child_location)
        if found is not None:
            return found
        left_tail, right_tail = (a.tail or "").strip(), (b.tail or "").strip()
        if left_tail != right_tail:
            return f"{child_location}: text after it {right_tail!r} instead of {left_tail!r}"
    return None


class _SmokeRun:
    """The smoke run's state, shared by its steps."""

    def __init__(self) -> None:
        self.original = b""
        self.message: Any = None
        self.serialized = b""

    def spec_store(self) -> str:
        try:
            self.original = spec_path(SAMPLE_MESSAGE).read_bytes()
            spec_path(SAMPLE_SCHEMA)
        except SpecStoreMissingError as exc:
            raise DemoStepError(str(exc)) from exc
        return f"found {SAMPLE_MESSAGE}"

    def load_bindings(self) -> str:
        generated = bindings.class_for_root(str(parse_xml(self.original).tag))
        return f"{generated.__module__}.{generated.__name__}"

    def round_trip(self) -> str:
        self.message = bindings.parse(self.original)
        self.serialized = bindings.serialize(self.message)
        difference = xml_difference(parse_xml(self.original), parse_xml(self.serialized))
        if difference is not None:
            raise DemoStepError(f"the round trip changed the message at {difference}")
        if bindings.parse(self.serialized) != self.message:
            raise DemoStepError("parsing the serialized message gives a different object")
        return "parsed, serialized and parsed again: same elements, attributes and text"

    def validate(self) -> str:
        issues = xsdvalidate.validate(parse_xml(self.serialized), SAMPLE_SCHEMA)
        if issues:
            listed = "; ".join(str(issue) for issue in issues[:3])
            raise DemoStepError(f"the serialized message is not schema-valid: {listed}")
        return f"valid against {SAMPLE_SCHEMA}"

    def steps(self) -> list[_Step]:
        return [
            _Step("spec store", self.spec_store),
            _Step("generated bindings", self.load_bindings),
            _Step("round trip of a real ITI-41 request", self.round_trip),
            _Step("XML schema validation", self.validate),
        ]


@click.command(name="demo")
@click.option("--smoke", is_flag=True,
              help="Run the smoke run (spec store, bindings, round trip, validation) instead.")
@click.option("--in-process", is_flag=True,
              help="Call the local server in-process instead of over HTTPS on loopback.")
def demo(smoke: bool, in_process: bool) -> None:
    """Walk the vendor's journey on a local SI DMP (or the smoke run with --smoke)."""
    if smoke:
        _smoke()
        return
    try:
        from dmpkit.cli.journey import Journey
        from dmpkit.local import LocalDmp
    except ImportError as exc:
        click.echo(f"dmpkit demo: the local SI DMP cannot be loaded ({exc}); "
                   "running the smoke run instead")
        _smoke()
        return
    with _local_dmp(LocalDmp, https=not in_process) as local:
        where = "in-process" if local.transport_name == "in-process" else \
            "HTTPS with mutual TLS on loopback"
        click.echo("dmpkit demo: the vendor's journey on a local SI DMP "
                   f"(temporary folder, fresh test PKI, {where})")
        journey = Journey(local.client())
        click.echo(f"  patient: {journey.record.given} {journey.record.birth_family}, "
                   f"INS {journey.patient.matricule} (test OID {journey.patient.oid})")
        _run_steps([_Step(s.title, s.run) for s in journey.steps()])
    click.echo("journey complete")


def _local_dmp(kind: Any, *, https: bool) -> Any:
    """The local server, over HTTPS when asked and possible, else in-process (with a note)."""
    if https:
        try:
            return kind(https=True)
        except (OSError, RuntimeError, ImportError) as exc:
            click.echo(f"note: HTTPS on loopback unavailable ({exc}); calling it in-process")
    return kind()


def _run_steps(steps: list[_Step]) -> None:
    for number, step in enumerate(steps, start=1):
        started = time.perf_counter()
        try:
            outcome = step.run()
        except DmpkitError as exc:
            click.echo(f"  [{number}/{len(steps)}] {step.title}: FAILED")
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(1) from exc
        milliseconds = (time.perf_counter() - started) * 1000
        elapsed = "" if testmode.is_enabled() else f" ({milliseconds:.0f} ms)"
        click.echo(f"  [{number}/{len(steps)}] {step.title}: ok{elapsed}, {outcome}")


def _smoke() -> None:
    click.echo(f"dmpkit demo: smoke run (spec store: {_store_label()})")
    _run_steps(_SmokeRun().steps())
    click.echo("smoke run passed")


def _store_label() -> str:
    # In test mode the output must not depend on the machine, so the folder is not printed.
    return "$DMPKIT_SPECS or the user cache" if testmode.is_enabled() else str(spec_store_dir())
