"""The hardened parser against a hostile corpus built here, document by document.

Each hostile document must be refused with a typed error, without reading a local file,
without opening a network connection, and without the memory blow-up it was designed for.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree

from dmpkit import xmlparse
from dmpkit.xmlparse import (
    XmlEncodingError,
    XmlForbiddenConstructError,
    XmlLimits,
    XmlSecurityError,
    XmlSyntaxError,
    XmlTooDeepError,
    XmlTooLargeError,
    parse_xml,
    parse_xml_file,
)

SECRET = "dmpkit-secret-7f3c9a1e-never-disclose"
REPO_ROOT = Path(__file__).resolve().parents[1]

# A fully expanded bomb below needs gigabytes; a refused one needs almost nothing. 50 MB is
# far above the cost of merely holding the largest hostile input here (a 1.5 MB attribute,
# which libxml2 copies a few times) and far below any expansion (billion laughs: ~3 GB).
MEMORY_BOUND_KIB = 50 * 1024


# --- corpus builders -------------------------------------------------------------------


def billion_laughs() -> bytes:
    """Ten levels of ten references: 10**9 copies of "lol" (~3 GB) once expanded."""
    entities = ['<!ENTITY lol0 "lol">']
    entities += [
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n' + "\n".join(entities) + "\n]>\n"
        "<lolz>&lol9;</lolz>"
    ).encode()


def quadratic_blowup() -> bytes:
    """One 100 kB entity referenced 20,000 times: ~2 GB once expanded, no nesting needed."""
    payload = "A" * 100_000
    return (
        f'<!DOCTYPE kaboom [<!ENTITY a "{payload}">]>'
        f"<kaboom>{'&a;' * 20_000}</kaboom>"
    ).encode()


def xxe_file(path: Path) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE r [<!ENTITY xxe SYSTEM "{path.as_uri()}">]>\n<r>&xxe;</r>'
    ).encode()


def xxe_url(port: int) -> bytes:
    return (
        f'<!DOCTYPE r [<!ENTITY xxe SYSTEM "http://127.0.0.1:{port}/xxe">]><r>&xxe;</r>'
    ).encode()


def external_dtd(port: int) -> bytes:
    return f'<!DOCTYPE r SYSTEM "http://127.0.0.1:{port}/external.dtd"><r/>'.encode()


def external_parameter_entity(port: int) -> bytes:
    return (
        f'<!DOCTYPE r [<!ENTITY % pe SYSTEM "http://127.0.0.1:{port}/pe.dtd"> %pe;]><r/>'
    ).encode()


def xinclude_url(port: int) -> bytes:
    return (
        '<r xmlns:xi="http://www.w3.org/2001/XInclude">'
        f'<xi:include href="http://127.0.0.1:{port}/inc.xml"/></r>'
    ).encode()


def xinclude_file(path: Path) -> bytes:
    return (
        '<r xmlns:xi="http://www.w3.org/2003/XInclude">'
        f'<xi:include href="{path.as_uri()}" parse="text"/></r>'
    ).encode()


def deep_nesting(depth: int = 100_000) -> bytes:
    return b"<d>" * depth + b"</d>" * depth


def huge_attribute(size: int = 1_500_000) -> bytes:
    return b'<r big="' + b"x" * size + b'"/>'


def wide_document(elements: int = 3_000_000) -> bytes:
    """Four bytes an element, a few hundred once parsed: ~1 GB if it were accepted."""
    return b"<r>" + b"<e/>" * elements + b"</r>"


def invalid_utf8() -> bytes:
    # 0xC3 0x28 is a truncated two-byte sequence; 0xFF never occurs in UTF-8.
    return b'<?xml version="1.0" encoding="UTF-8"?><r>caf\xc3\x28 \xff</r>'


# --- observers -------------------------------------------------------------------------


@dataclass
class LoopbackListener:
    """A real TCP server on 127.0.0.1 that counts every connection it accepts."""

    server: socket.socket
    accepted: list[bytes] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def port(self) -> int:
        return int(self.server.getsockname()[1])

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                connection.settimeout(1.0)
                try:
                    self.accepted.append(connection.recv(4096) or b"<connected>")
                except OSError:
                    self.accepted.append(b"<connected>")


@pytest.fixture
def listener() -> Iterator[LoopbackListener]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.05)
    observer = LoopbackListener(server)
    thread = threading.Thread(target=observer.serve, daemon=True)
    thread.start()
    yield observer
    observer.stop.set()
    thread.join(timeout=5)
    server.close()


class FifoWatch:
    """A named pipe that records whether anyone opened it for reading while watched.

    A writer thread blocks in ``open`` until a reader appears; a parser that followed an
    external reference to the pipe would be that reader. Unlike atime, this cannot be
    hidden by ``noatime``/``relatime`` mounts.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path)
        self.opened_while_watched = False
        self._watching = True
        self._thread = threading.Thread(target=self._write_secret, daemon=True)
        self._thread.start()

    def _write_secret(self) -> None:
        descriptor = os.open(self.path, os.O_WRONLY)
        if self._watching:
            self.opened_while_watched = True
        try:
            os.write(descriptor, SECRET.encode())
        finally:
            os.close(descriptor)

    def close(self) -> None:
        self._watching = False
        # Opening the read end ourselves releases the writer thread.
        descriptor = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        self._thread.join(timeout=5)
        os.close(descriptor)


_opened_paths: list[str] = []
_audit_installed = False


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and args and isinstance(args[0], str | bytes | os.PathLike):
        _opened_paths.append(os.fsdecode(args[0]))


@pytest.fixture
def opened_paths() -> Iterator[list[str]]:
    """Paths opened from Python while the test runs (audit hooks cannot be removed: one for all)."""
    global _audit_installed
    if not _audit_installed:
        sys.addaudithook(_audit)
        _audit_installed = True
    _opened_paths.clear()
    yield _opened_paths
    _opened_paths.clear()


@pytest.fixture
def secret_targets(tmp_path: Path) -> Iterator[tuple[Path, FifoWatch]]:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET, encoding="utf-8")
    watch = FifoWatch(tmp_path / "secret.fifo")
    yield secret_file, watch
    watch.close()


def refusal(data: bytes, **kwargs: XmlLimits) -> XmlSecurityError:
    with pytest.raises(XmlSecurityError) as caught:
        parse_xml(data, **kwargs)
    return caught.value


def attempt(data: bytes) -> str | XmlSecurityError:
    """Parse, returning the refusal or, if accepted, the serialized result for inspection."""
    try:
        return etree.tostring(parse_xml(data), encoding="unicode")
    except XmlSecurityError as exc:
        return exc


# --- the corpus ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "expected"),
    [
        (billion_laughs, XmlForbiddenConstructError),
        (quadratic_blowup, XmlForbiddenConstructError),
        (deep_nesting, XmlTooDeepError),
        (huge_attribute, XmlTooLargeError),
        (wide_document, XmlTooLargeError),
        (invalid_utf8, XmlEncodingError),
    ],
    ids=["billion-laughs", "quadratic-blowup", "100k-deep", "1.5MB-attribute", "3M-elements",
         "invalid-utf8"],
)
def test_local_bombs_are_refused_with_a_typed_error(
    builder: Callable[[], bytes], expected: type[XmlSecurityError]
) -> None:
    error = refusal(builder())
    assert type(error) is expected
    assert str(error)


def test_xxe_to_a_file_reads_nothing(
    secret_targets: tuple[Path, FifoWatch], opened_paths: list[str]
) -> None:
    secret_file, fifo = secret_targets
    outcomes = [attempt(xxe_file(target)) for target in (secret_file, fifo.path)]
    assert not fifo.opened_while_watched
    assert not [p for p in opened_paths if "secret" in p]
    assert all(SECRET not in str(outcome) for outcome in outcomes)
    assert all(isinstance(outcome, XmlForbiddenConstructError) for outcome in outcomes)


def test_xinclude_of_a_file_reads_nothing(
    secret_targets: tuple[Path, FifoWatch], opened_paths: list[str]
) -> None:
    secret_file, fifo = secret_targets
    outcomes = [attempt(xinclude_file(target)) for target in (secret_file, fifo.path)]
    assert not fifo.opened_while_watched
    assert not [p for p in opened_paths if "secret" in p]
    assert all(SECRET not in str(outcome) for outcome in outcomes)
    assert all(isinstance(outcome, XmlForbiddenConstructError) for outcome in outcomes)


@pytest.mark.parametrize(
    "builder",
    [xxe_url, external_dtd, external_parameter_entity, xinclude_url],
    ids=["xxe-url", "external-dtd", "external-parameter-entity", "xinclude-url"],
)
def test_network_references_open_no_connection(
    builder: Callable[[int], bytes], listener: LoopbackListener
) -> None:
    outcome = attempt(builder(listener.port))
    threading.Event().wait(0.1)  # let a late connection, if any, be accepted
    assert listener.accepted == []
    assert isinstance(outcome, XmlForbiddenConstructError)
    # Prove the listener is live: a connection we make ourselves is counted.
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2) as probe:
        probe.sendall(b"probe")
    for _ in range(100):
        if listener.accepted:
            break
        threading.Event().wait(0.02)
    assert listener.accepted == [b"probe"]


@pytest.mark.parametrize(
    "builder",
    [xxe_url, external_dtd, external_parameter_entity, xinclude_url],
    ids=["xxe-url", "external-dtd", "external-parameter-entity", "xinclude-url"],
)
def test_second_line_holds_without_the_prolog_check(
    builder: Callable[[int], bytes],
    listener: LoopbackListener,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the textual DOCTYPE check, libxml2's settings and the tree check still refuse."""
    monkeypatch.setattr(xmlparse, "_check_prolog", lambda body: None)
    outcome = attempt(builder(listener.port))
    threading.Event().wait(0.1)
    assert listener.accepted == []
    assert isinstance(outcome, XmlForbiddenConstructError)


def test_second_line_refuses_local_xxe_and_bombs(
    secret_targets: tuple[Path, FifoWatch], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xmlparse, "_check_prolog", lambda body: None)
    secret_file, fifo = secret_targets
    hostile = (xxe_file(secret_file), xxe_file(fifo.path), billion_laughs(), quadratic_blowup())
    outcomes = [attempt(data) for data in hostile]
    assert not fifo.opened_while_watched
    assert all(SECRET not in str(outcome) for outcome in outcomes)
    assert all(isinstance(outcome, XmlForbiddenConstructError) for outcome in outcomes)


# --- bounded memory, measured in a fresh interpreter per document -------------------------

_MEASURE = """
import json, sys, tracemalloc
from dmpkit.xmlparse import XmlSecurityError, parse_xml

def peak_rss_kib():
    # VmHWM is this process's own peak RSS; ru_maxrss would carry the parent's over exec.
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

with open(sys.argv[1], "rb") as stream:
    data = stream.read()
before = peak_rss_kib()
tracemalloc.start()
try:
    parse_xml(data)
    outcome = "accepted"
except XmlSecurityError as exc:
    outcome = type(exc).__name__
traced_peak = tracemalloc.get_traced_memory()[1]
after = peak_rss_kib()
print(json.dumps({"outcome": outcome, "rss_growth_kib": after - before,
                  "traced_peak_kib": traced_peak // 1024}))
"""


def measure_parse(data: bytes, tmp_path: Path) -> dict[str, object]:
    """Parse in a child process: its peak RSS (which sees libxml2's C heap) starts fresh."""
    if not Path("/proc/self/status").exists():
        pytest.skip("peak RSS is read from /proc (Linux)")
    document = tmp_path / "document.xml"
    document.write_bytes(data)
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(document)],
        capture_output=True,
        check=True,
        timeout=60,
        env=environment,
    )
    measured: dict[str, object] = json.loads(result.stdout)
    return measured


@pytest.mark.parametrize(
    ("builder", "expected"),
    [
        (billion_laughs, "XmlForbiddenConstructError"),
        (quadratic_blowup, "XmlForbiddenConstructError"),
        (deep_nesting, "XmlTooDeepError"),
        (huge_attribute, "XmlTooLargeError"),
        (wide_document, "XmlTooLargeError"),
    ],
    ids=["billion-laughs", "quadratic-blowup", "100k-deep", "1.5MB-attribute", "3M-elements"],
)
def test_refusal_keeps_memory_bounded(
    builder: Callable[[], bytes], expected: str, tmp_path: Path
) -> None:
    measured = measure_parse(builder(), tmp_path)
    assert measured["outcome"] == expected, measured
    assert isinstance(measured["rss_growth_kib"], int)
    assert isinstance(measured["traced_peak_kib"], int)
    assert measured["rss_growth_kib"] < MEMORY_BOUND_KIB, measured
    assert measured["traced_peak_kib"] < MEMORY_BOUND_KIB, measured


def test_memory_probe_sees_libxml2_allocations(tmp_path: Path) -> None:
    """Control: the same probe does report growth for a benign but element-heavy document."""
    benign = b"<r>" + b"<e a='1'>t</e>" * 300_000 + b"</r>"
    measured = measure_parse(benign, tmp_path)
    assert measured["outcome"] == "accepted", measured
    assert isinstance(measured["rss_growth_kib"], int)
    assert measured["rss_growth_kib"] > MEMORY_BOUND_KIB, measured


# --- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "<r>é</r>".encode("utf-16"),
        "<r>é</r>".encode("utf-16-le"),
        " <r/>".encode("utf-16-be"),
        "<r/>".encode("utf-32"),
        '<?xml version="1.0" encoding="ISO-8859-1"?><r>caf\xe9</r>'.encode("latin-1"),
        b"<?xml version='1.0' encoding='windows-1252'?><r/>",
        b'<?xml version="1.0" encoding="UTF-16"?><r/>',
        b'<?xml version="1.0" encoding="ISO 8859-1"?><r/>',
    ],
    ids=["utf16-bom", "utf16le", "utf16be-space", "utf32", "latin1", "cp1252", "decl-utf16",
         "decl-odd-name"],
)
def test_anything_but_utf8_is_refused(data: bytes) -> None:
    assert isinstance(refusal(data), XmlEncodingError)


def test_utf8_with_bom_and_declaration_is_accepted() -> None:
    root = parse_xml(b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?><r>caf\xc3\xa9</r>')
    assert root.text == "café"


def test_invalid_utf8_far_into_a_large_document_is_located() -> None:
    data = b"<r>" + "é".encode() * 1_000_000 + b"\xed\xa0\x80</r>"  # an encoded surrogate
    error = refusal(data)
    assert isinstance(error, XmlEncodingError)
    assert "byte 2000003" in str(error)


# --- what is accepted, and the limits --------------------------------------------------


def test_valid_document_with_comments_and_pis_is_accepted() -> None:
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- prolog comment -->\n'
        b'<?xml-stylesheet type="text/xsl" href="cda.xsl"?>\n'
        b'<r xmlns="urn:x"><!-- inner --><?app data?><c a="1">t<![CDATA[<&>]]></c></r>'
    )
    root = parse_xml(data)
    assert root.tag == "{urn:x}r"
    assert root.findtext("{urn:x}c") == "t<&>"
    assert root.getprevious() is not None  # the prolog PI is kept


def test_doctype_hidden_after_comments_and_pis_is_refused() -> None:
    data = (
        b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- a -->\n<?pi x?>\n<!-- b -->'
        b'<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>'
    )
    assert isinstance(refusal(data), XmlForbiddenConstructError)


def test_undeclared_entity_is_refused() -> None:
    assert isinstance(refusal(b"<r>&undeclared;</r>"), XmlForbiddenConstructError)


def test_malformed_document_is_a_syntax_error() -> None:
    assert isinstance(refusal(b"<r><unclosed></r>"), XmlSyntaxError)
    assert isinstance(refusal(b""), XmlSyntaxError)


def test_depth_limit_is_configurable() -> None:
    five_deep = b"<d>" * 5 + b"</d>" * 5
    limits = XmlLimits(max_depth=5)
    assert parse_xml(five_deep, limits=limits).tag == "d"
    assert isinstance(refusal(b"<d>" * 6 + b"</d>" * 6, limits=limits), XmlTooDeepError)
    assert parse_xml(b"<d>" * 256 + b"</d>" * 256).tag == "d"
    assert isinstance(refusal(b"<d>" * 257 + b"</d>" * 257), XmlTooDeepError)
    with pytest.raises(ValueError, match="max_depth"):
        XmlLimits(max_depth=300)


def test_attribute_limit_is_configurable() -> None:
    limits = XmlLimits(max_attribute_chars=10)
    assert parse_xml(b'<r a="0123456789"/>', limits=limits).get("a") == "0123456789"
    assert isinstance(refusal(b'<r a="0123456789A"/>', limits=limits), XmlTooLargeError)


def test_node_limit_is_configurable() -> None:
    limits = XmlLimits(max_nodes=4)
    assert len(parse_xml(b"<r><a/><b/></r>", limits=limits)) == 2  # 4 "<" characters
    error = refusal(b"<r><a/><b/><!-- c --></r>", limits=limits)
    assert isinstance(error, XmlTooLargeError)
    assert "limit is 4" in str(error)


def test_size_limit() -> None:
    limits = XmlLimits(max_bytes=100)
    assert parse_xml(b"<r>" + b"x" * 90 + b"</r>", limits=limits).tag == "r"
    error = refusal(b"<r>" + b"x" * 100 + b"</r>", limits=limits)
    assert isinstance(error, XmlTooLargeError)
    assert "limit is 100" in str(error)


def test_parse_xml_file_checks_size_before_reading(
    tmp_path: Path, opened_paths: list[str]
) -> None:
    oversized = tmp_path / "oversized.xml"
    with oversized.open("wb") as stream:  # sparse: large on stat(), nothing written
        stream.truncate(xmlparse.DEFAULT_LIMITS.max_bytes + 1)
    opened_paths.clear()
    with pytest.raises(XmlTooLargeError, match=r"oversized\.xml"):
        parse_xml_file(oversized)
    assert str(oversized) not in opened_paths


def test_parse_xml_file_reads_a_valid_file(tmp_path: Path) -> None:
    document = tmp_path / "ok.xml"
    document.write_bytes(b"<r><c/></r>")
    assert parse_xml_file(document).find("c") is not None
    with pytest.raises(XmlTooLargeError, match="limit is 5"):
        parse_xml_file(document, limits=XmlLimits(max_bytes=5))


def test_parse_xml_file_bounds_the_read_when_stat_reports_no_size(tmp_path: Path) -> None:
    """A pipe reports size 0 to stat(): the read itself must stop at the limit."""
    pipe = tmp_path / "stream.xml"
    os.mkfifo(pipe)

    def feed() -> None:
        try:
            with pipe.open("wb") as stream:
                stream.write(b"<r>" + b"x" * 10_000 + b"</r>")
        except BrokenPipeError:
            pass  # the reader stopped early, as it should

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    with pytest.raises(XmlTooLargeError, match="exceeds the limit of 100 bytes"):
        parse_xml_file(pipe, limits=XmlLimits(max_bytes=100))
    writer.join(timeout=5)
    assert not writer.is_alive()
