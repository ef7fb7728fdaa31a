"""Whatever bytes arrive, the SOAP reader answers with a checked envelope or a dmpkit error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dmpkit.errors import DmpkitError
from dmpkit.soap import ParsedEnvelope, parse_envelope, parse_response

FAULT_SAMPLE = (
    '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://www.w3.org/2005/08/addressing"><env:Header>'
    '<a:Action env:mustUnderstand="true">http://www.w3.org/2005/08/addressing/soap/fault</a:Action>'
    "<a:RelatesTo>urn:uuid:1</a:RelatesTo></env:Header><env:Body><env:Fault><env:Code>"
    "<env:Value>env:Sender</env:Value><env:Subcode><env:Value>DMPInvalidCertificate</env:Value>"
    '</env:Subcode></env:Code><env:Reason><env:Text xml:lang="fr">Erreur : détail</env:Text>'
    "</env:Reason></env:Fault></env:Body></env:Envelope>"
).encode()


@pytest.fixture(scope="module")
def seeds(spec_store: Path) -> list[bytes]:
    query = spec_store / "examples" / "ihe-xds-b" / "RegistryStoredQueryRequest_SOAP.xml"
    return [query.read_bytes(), FAULT_SAMPLE]


@st.composite
def mutations(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, bytes]]]:
    seed = draw(st.integers(min_value=0, max_value=1))
    edits = draw(st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 40),
                  st.sampled_from([b"", b"<", b">", b"/", b":", b'"', b"env:", b"s:", b"a:",
                                   b"1", b"false", b"<env:Body>", b"</env:Body>", b"\xc3",
                                   b"mustUnderstand", b"xmlns:x='urn:x'", b"&amp;"])),
        max_size=4,
    ))
    return seed, edits


def _apply(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for start, length, replacement in edits:
        position = start % (len(data) + 1)
        data = data[:position] + replacement + data[position + length:]
    return data


def _outcome(read: Callable[[], ParsedEnvelope]) -> object:
    try:
        return read()
    except DmpkitError as error:
        return error


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutation=mutations())
def test_mutated_envelopes_give_a_result_or_a_dmpkit_error(
    seeds: list[bytes], mutation: tuple[int, list[tuple[int, int, bytes]]]
) -> None:
    seed, edits = mutation
    data = _apply(seeds[seed], edits)
    outcomes = [
        _outcome(lambda: parse_envelope(data, require_addressing=True)),
        _outcome(lambda: parse_response(500, "application/soap+xml", data)),
        _outcome(lambda: parse_response(200, "application/soap+xml", data)),
    ]
    assert all(isinstance(outcome, ParsedEnvelope | DmpkitError) for outcome in outcomes)
    # An error status never yields an envelope.
    assert not isinstance(outcomes[1], ParsedEnvelope)
