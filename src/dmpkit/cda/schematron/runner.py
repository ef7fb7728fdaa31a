"""Compile schematrons once (disk cache keyed by sha256) and run them with Saxon.

The compiled XSLT lives in ``<user cache>/dmpkit/schematron/<sha256>.xsl`` (or
``$DMPKIT_SCHEMATRON_CACHE``); the key covers the compiler version, the main ``.sch`` file
(path and content) and, checked on each load, the digests of every included file. Saxon's
executable is kept in memory for the life of the process. Saxon may open ``file:`` URIs
only; the compiler has already checked that every ``doc()`` stays inside the spec store.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dmpkit.cda.schematron.errors import SchematronError, SchematronRunError
from dmpkit.cda.schematron.expand import expand
from dmpkit.cda.schematron.xslt import COMPILER_VERSION, FINDING_NS, to_xslt
from dmpkit.specstore import spec_store_dir
from dmpkit.xmlparse import XmlLimits, parse_xml

__all__ = [
    "CompiledSchematron",
    "SchematronHit",
    "compile_schematron",
    "run_schematron",
    "schematron_cache_dir",
]

_DEPENDENCIES = re.compile(r"<!-- dmpkit-inputs: (\{.*?\}) -->")
_NOTES = re.compile(r"<!-- dmpkit-notes: (\[.*?\]) -->")
_lock = threading.RLock()
_processor: Any = None
_executables: dict[str, tuple[Any, Any]] = {}
# Findings are our own output, but still parsed under the hardened parser's rules.
_RESULT_LIMITS = XmlLimits(max_bytes=256 * 1024 * 1024, max_nodes=20_000_000)


def schematron_cache_dir() -> Path:
    """Where compiled schematrons are kept: ``$DMPKIT_SCHEMATRON_CACHE`` or the user cache."""
    explicit = os.environ.get("DMPKIT_SCHEMATRON_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    cache_root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_root) / "dmpkit" / "schematron"


@dataclass(frozen=True, slots=True)
class CompiledSchematron:
    """A schematron ready to run.

    Attributes:
        relative: the ``.sch`` path relative to the spec store.
        key: the sha256 cache key.
        xslt_path: the cached XSLT file.
        compiled_now: True when this call wrote the XSLT (a cold start).
        seconds_to_xslt: time spent writing the XSLT (0 when read from the cache).
        seconds_saxon_compile: time Saxon spent compiling (0 when already in memory).
        notes: upstream defects the compiler worked around (case-mismatched includes...).
    """

    relative: str
    key: str
    xslt_path: Path
    compiled_now: bool
    seconds_to_xslt: float
    seconds_saxon_compile: float
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SchematronHit:
    """One failed assert or successful report, as the stylesheet wrote it."""

    kind: str
    role: str
    rule_id: str
    pattern: str
    context: str
    test: str
    see: str
    source: str
    location: str
    message: str


def _saxon() -> Any:
    global _processor
    if _processor is None:
        from saxonche import PySaxonProcessor

        processor = PySaxonProcessor(license=False)
        # Stylesheets and documents may open local files only: no http(s), no jar:, no ftp.
        processor.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols",
                                             "file")
        # Default optimisation: the "Bad parent pointer" SaxonC 13.1 error the spec README
        # reports with the ISO skeleton output does not occur with this compiler's output.
        _processor = processor
    return _processor


def _key(main: Path, store: Path, prune: bool) -> str:
    digest = hashlib.sha256()
    digest.update(f"{COMPILER_VERSION} prune={prune}".encode())
    digest.update(str(main.resolve()).encode())
    digest.update(str(store.resolve()).encode())
    digest.update(main.read_bytes())
    return digest.hexdigest()


def _dependencies_unchanged(xslt_path: Path, store: Path) -> bool:
    with xslt_path.open("r", encoding="utf-8") as stream:
        head = stream.read(1 << 20)
    match = _DEPENDENCIES.search(head)
    if match is None:
        return False
    recorded: dict[str, str] = json.loads(match.group(1))
    for relative, sha in recorded.items():
        path = store / relative
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha:
            return False
    return True


def compile_schematron(relative: str, *, store: Path | None = None,
                       cache_dir: Path | None = None, prune: bool = True) -> CompiledSchematron:
    """Make sure a schematron of the store is compiled (on disk and in Saxon).

    Args:
        relative: the ``.sch`` path, relative to the spec store.
        store: the spec store (default :func:`dmpkit.specstore.spec_store_dir`).
        cache_dir: where XSLT files are kept (default :func:`schematron_cache_dir`).
        prune: see :func:`dmpkit.cda.schematron.xslt.to_xslt` (False: walk every element).

    Raises:
        SchematronError: a subclass saying why it cannot be compiled (missing include,
            refused construct, Saxon static error).
    """
    base = (store if store is not None else spec_store_dir()).resolve()
    main = base / relative
    if not main.is_file():
        raise SchematronError(f"schematron {relative} is not in the spec store {base}")
    key = _key(main, base, prune)
    folder = cache_dir if cache_dir is not None else schematron_cache_dir()
    xslt_path = folder / f"{key}.xsl"
    with _lock:
        compiled_now = False
        to_xslt_seconds = 0.0
        if not (xslt_path.is_file() and _dependencies_unchanged(xslt_path, base)):
            started = time.perf_counter()
            expanded = expand(main, base)
            text = to_xslt(expanded, base, prune=prune)
            inputs = json.dumps(dict(expanded.inputs), sort_keys=True).replace("--", "-\\u002d")
            text = text.replace("<xsl:output ", f"<!-- dmpkit-inputs: {inputs} -->\n"
                                "<xsl:output ", 1)
            folder.mkdir(parents=True, exist_ok=True)
            partial = xslt_path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(text, encoding="utf-8")
            partial.replace(xslt_path)
            to_xslt_seconds = time.perf_counter() - started
            compiled_now = True
            _executables.pop(key, None)
        saxon_seconds = 0.0
        if key not in _executables:
            started = time.perf_counter()
            processor = _saxon().new_xslt30_processor()
            try:
                # No fast_compile: in SaxonC 13.1 it breaks every template (NullPointerException).
                executable = processor.compile_stylesheet(stylesheet_file=str(xslt_path))
            except Exception as exc:  # saxonche raises PySaxonApiError, a bare Exception
                raise SchematronError(f"Saxon cannot compile {relative}: {exc}") from None
            saxon_seconds = time.perf_counter() - started
            _executables[key] = (processor, executable)
    return CompiledSchematron(relative, key, xslt_path, compiled_now, to_xslt_seconds,
                              saxon_seconds, _read_notes(xslt_path))


def _read_notes(xslt_path: Path) -> tuple[str, ...]:
    with xslt_path.open("r", encoding="utf-8") as stream:
        head = stream.read(1 << 16)
    match = _NOTES.search(head)
    return tuple(json.loads(match.group(1))) if match else ()


def _short_path(path: str) -> str:
    path = path.replace("Q{urn:hl7-org:v3}", "cda:").replace("Q{}", "")
    return re.sub(r"Q\{[^}]*\}", "", path)


def run_schematron(compiled: CompiledSchematron, document: bytes) -> list[SchematronHit]:
    """Run a compiled schematron on a document already accepted by the hardened parser.

    Args:
        compiled: from :func:`compile_schematron`.
        document: the CDA bytes (UTF-8; the caller parsed them with
            :func:`dmpkit.xmlparse.parse_xml` first, so no DTD or entity reaches Saxon).

    Raises:
        SchematronRunError: Saxon stopped (e.g. a value-set file of the store is missing).
    """
    with _lock:
        entry = _executables.get(compiled.key)
        if entry is None:
            raise SchematronRunError(f"{compiled.relative} is not compiled in this process")
        processor = _saxon()
        try:
            node = processor.parse_xml(xml_text=document.decode("utf-8-sig"))
            output = entry[1].transform_to_string(xdm_node=node)
        except Exception as exc:  # PySaxonApiError
            raise SchematronRunError(f"Saxon stopped running {compiled.relative}: "
                                     f"{str(exc).strip()}") from None
    if output is None:
        raise SchematronRunError(f"{compiled.relative} produced no result")
    root = parse_xml(output.encode("utf-8"), limits=_RESULT_LIMITS)
    hits: list[SchematronHit] = []
    for item in root.iter(f"{{{FINDING_NS}}}finding"):
        hits.append(SchematronHit(
            kind=item.get("kind", ""), role=item.get("role", ""), rule_id=item.get("id", ""),
            pattern=item.get("pattern", ""), context=item.get("context", ""),
            test=item.get("test", ""), see=item.get("see", ""), source=item.get("source", ""),
            location=_short_path(item.get("location", "")),
            message=" ".join("".join(str(t) for t in item.itertext()).split()),
        ))
    return hits

