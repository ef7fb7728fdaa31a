"""The spec manifest: every public spec file dmpkit uses, pinned by sha256 to its upstream.

Two TOML files under ``specs/``: ``manifest.toml`` (sources, the XML catalog map, the
namespace → file map, pointers to the families and the project schemas) and
``manifest-files.toml`` (one record per file, grouped by upstream repository and commit).
Both are written by :func:`write_manifest`; nobody edits them by hand.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from codegen import tomlwrite
from codegen.errors import ManifestError, UsageError
from codegen.integrity import content_sha256, sha256_hex

MANIFEST_NAME = "manifest.toml"
FILES_NAME = "manifest-files.toml"
FORMAT_VERSION = 1
# Files of the shared folder that describe it rather than belong to it.
DESCRIPTIVE_FILES = frozenset({"MANIFEST.json", "MANIFEST-fr.json", "README.md", "README-fr.md"})
# Authored for dmpkit, no upstream: fetch writes it from the [catalog] map instead.
CATALOG_FILE = "catalog.xml"
ZIP_MEMBER_SEPARATOR = "!"
TRANSCRIBED_MARK = "transcribed"


@dataclass(frozen=True, slots=True)
class Upstream:
    """Where a spec file comes from.

    Attributes:
        repo: GitHub ``owner/name``.
        commit: the pinned commit (40 hex digits).
        path: path in the repository (of the zip, for a zip member).
        member: path inside the zip, or None for a plain file.
    """

    repo: str
    commit: str
    path: str
    member: str | None = None


@dataclass(frozen=True, slots=True)
class FileRecord:
    """One pinned spec file.

    Attributes:
        path: path in the spec store (POSIX, relative).
        sha256: sha256 of the expected bytes.
        size: expected size in bytes.
        upstream: its upstream source.
        transcribed: the bytes may differ from upstream; compare ``content_sha256``.
        content_sha256: sha256 of the canonical parsed content (transcribed files only).
    """

    path: str
    sha256: str
    size: int
    upstream: Upstream
    transcribed: bool = False
    content_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Manifest:
    """The whole manifest, as loaded from ``specs/``.

    Attributes:
        files: records by store path.
        sources: per upstream repository, descriptive facts (``about``, ``licence``).
        catalog: absolute schemaLocation URL → store path, for ``catalog.xml``.
        namespaces: target namespace → store paths of the schemas declaring it.
        families: the families file, relative to ``specs/``.
        project_schemas: the project's own schema folder, relative to ``specs/``; it is
            copied to the same relative path in the store.
        digest: sha256 over both TOML files, stamped into a complete store.
    """

    files: dict[str, FileRecord]
    sources: dict[str, dict[str, str]] = field(default_factory=dict)
    catalog: dict[str, str] = field(default_factory=dict)
    namespaces: dict[str, list[str]] = field(default_factory=dict)
    families: str = "families.toml"
    project_schemas: str = "dmp/schemas"
    digest: str = ""


def _require(table: dict[str, Any], name: str, kind: type, where: str) -> Any:
    item = table.get(name)
    if not isinstance(item, kind):
        raise ManifestError(f"{where}: '{name}' is missing or not a {kind.__name__}")
    return item


def load_manifest(specs_dir: Path) -> Manifest:
    """Read ``manifest.toml`` and ``manifest-files.toml`` from ``specs_dir``.

    Raises:
        ManifestError: a file is absent or a record is malformed.
    """
    main_path = specs_dir / MANIFEST_NAME
    try:
        main_bytes = main_path.read_bytes()
        main = tomllib.loads(main_bytes.decode("utf-8"))
    except FileNotFoundError:
        raise ManifestError(
            f"{main_path} is missing; create it with `python -m codegen manifest`"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{main_path}: {exc}") from None
    files_name = _require(main, "files", str, MANIFEST_NAME)
    files_path = specs_dir / files_name
    try:
        files_bytes = files_path.read_bytes()
        listing = tomllib.loads(files_bytes.decode("utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{files_path} is missing") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{files_path}: {exc}") from None
    records: dict[str, FileRecord] = {}
    for group in _require(listing, "source", list, files_name):
        repo = _require(group, "repo", str, files_name)
        commit = _require(group, "commit", str, f"{files_name} [{repo}]")
        for entry in _require(group, "files", list, f"{files_name} [{repo}]"):
            where = f"{files_name} [{repo}@{commit[:8]}]"
            path = _require(entry, "path", str, where)
            record = FileRecord(
                path=path,
                sha256=_require(entry, "sha256", str, f"{where} {path}"),
                size=_require(entry, "bytes", int, f"{where} {path}"),
                upstream=Upstream(repo, commit, _require(entry, "upstream", str, path),
                                  entry.get("member")),
                transcribed=bool(entry.get("transcribed", False)),
                content_sha256=entry.get("content_sha256"),
            )
            if record.transcribed and not record.content_sha256:
                raise ManifestError(f"{where} {path}: transcribed without content_sha256")
            if path in records:
                raise ManifestError(f"{files_name}: {path} is listed twice")
            records[path] = record
    return Manifest(
        files=dict(sorted(records.items())),
        sources={k: dict(v) for k, v in main.get("sources", {}).items()},
        catalog=dict(main.get("catalog", {})),
        namespaces={k: list(v) for k, v in main.get("namespaces", {}).items()},
        families=str(main.get("families", "families.toml")),
        project_schemas=str(main.get("project_schemas", "dmp/schemas")),
        digest=hashlib.sha256(main_bytes + b"\0" + files_bytes).hexdigest(),
    )


def _upstream_of(repo: str, commit: str, source_path: str) -> Upstream:
    if ZIP_MEMBER_SEPARATOR in source_path:
        archive, member = source_path.split(ZIP_MEMBER_SEPARATOR, 1)
        return Upstream(repo, commit, archive, member)
    return Upstream(repo, commit, source_path)


def _catalog_entries(catalog_path: Path) -> dict[str, str]:
    # Imported here: the catalog is XML, read with codegen's hardened parser.
    from codegen.xmlsafe import parse_file

    entries: dict[str, str] = {}
    for element in parse_file(catalog_path).iter():
        if not isinstance(element.tag, str):
            continue
        url = element.get("systemId") or element.get("name")
        uri = element.get("uri")
        if url and uri:
            entries[url] = uri
    return dict(sorted(entries.items()))


def build_manifest(source_dir: Path) -> Manifest:
    """Build the manifest from the shared spec folder's ``MANIFEST*.json`` and its files.

    Every file of ``source_dir`` (except the README/MANIFEST files and ``catalog.xml``)
    must be described by one of the JSON manifests, and is hashed as found.

    Raises:
        UsageError: ``source_dir`` lacks the JSON manifests.
        ManifestError: a file is undescribed, or described but absent.
    """
    descriptions: dict[str, tuple[Upstream, bool]] = {}
    sources: dict[str, dict[str, str]] = {}
    namespaces: dict[str, list[str]] = {}
    catalog: dict[str, str] = {}
    for json_name in ("MANIFEST.json", "MANIFEST-fr.json"):
        json_path = source_dir / json_name
        if not json_path.is_file():
            raise UsageError(f"{json_path} not found: --from must name the public spec folder")
        document = json.loads(json_path.read_text(encoding="utf-8"))
        raw_sources = document.get("sources", {})
        source_items = (
            raw_sources.items() if isinstance(raw_sources, dict)
            else ((s["repo"], s) for s in raw_sources)
        )
        for repo, facts in source_items:
            about = facts.get("about") or facts.get("note") or ""
            described = {"about": about} if about else {}
            if facts.get("licence"):
                described["licence"] = facts["licence"]
            sources[repo] = described
        for ns, paths in document.get("namespace_map", {}).items():
            namespaces[ns] = sorted(paths)
        for entry in document["files"]:
            path = entry.get("path") or entry["local_path"]
            if path == CATALOG_FILE:
                continue
            transcribed = entry.get("obtained_by", "").startswith(TRANSCRIBED_MARK)
            descriptions[path] = (
                _upstream_of(entry["source_repo"], entry["commit"], entry["source_path"]),
                transcribed,
            )
    if (source_dir / CATALOG_FILE).is_file():
        catalog = _catalog_entries(source_dir / CATALOG_FILE)
    present = {
        p.relative_to(source_dir).as_posix()
        for p in source_dir.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    present -= DESCRIPTIVE_FILES | {CATALOG_FILE}
    undescribed = sorted(present - descriptions.keys())
    if undescribed:
        raise ManifestError(
            f"{len(undescribed)} file(s) not described by MANIFEST*.json, e.g. {undescribed[0]}"
        )
    absent = sorted(descriptions.keys() - present)
    if absent:
        raise ManifestError(f"{len(absent)} described file(s) absent, e.g. {absent[0]}")
    records = {}
    for path, (upstream, transcribed) in sorted(descriptions.items()):
        data = (source_dir / path).read_bytes()
        records[path] = FileRecord(
            path=path,
            sha256=sha256_hex(data),
            size=len(data),
            upstream=upstream,
            transcribed=transcribed,
            content_sha256=content_sha256(data, path) if transcribed else None,
        )
    return Manifest(files=records, sources=dict(sorted(sources.items())), catalog=catalog,
                    namespaces=dict(sorted(namespaces.items())))


def record_for_bytes(record: FileRecord, data: bytes) -> FileRecord:
    """``record`` re-pinned to new bytes (the ``--accept`` path)."""
    return replace(
        record,
        sha256=sha256_hex(data),
        size=len(data),
        content_sha256=content_sha256(data, record.path) if record.transcribed else None,
    )


def _files_toml(records: Iterable[FileRecord]) -> str:
    groups: dict[tuple[str, str], list[FileRecord]] = {}
    for record in records:
        groups.setdefault((record.upstream.repo, record.upstream.commit), []).append(record)
    lines = [
        "# The public spec files dmpkit uses, pinned by sha256, grouped by upstream source.",
        "# Written by `python -m codegen manifest` / `regen --accept`: do not edit by hand.",
        "# upstream = path in the repository at that commit; member = path inside that zip;",
        "# transcribed = bytes may differ from upstream, content_sha256 pins the parsed content.",
    ]
    for (repo, commit), members in sorted(groups.items()):
        lines += ["", "[[source]]", tomlwrite.assignment("repo", repo),
                  tomlwrite.assignment("commit", commit), "files = ["]
        for record in sorted(members, key=lambda r: r.path):
            entry: dict[str, str | int | bool] = {
                "path": record.path,
                "sha256": record.sha256,
                "bytes": record.size,
                "upstream": record.upstream.path,
            }
            if record.upstream.member is not None:
                entry["member"] = record.upstream.member
            if record.transcribed:
                entry["transcribed"] = True
                entry["content_sha256"] = record.content_sha256 or ""
            lines.append("  " + tomlwrite.value(entry) + ",")
        lines.append("]")
    return "\n".join(lines) + "\n"


def _main_toml(manifest: Manifest) -> str:
    lines = [
        "# dmpkit spec manifest: what `python -m codegen fetch` puts in the spec store.",
        "# Written by `python -m codegen manifest --from DIR` (DIR = the public spec folder",
        "# with its MANIFEST.json and MANIFEST-fr.json); do not edit by hand.",
        tomlwrite.assignment("format", FORMAT_VERSION),
        "# one record per public file, grouped by upstream repository and commit",
        tomlwrite.assignment("files", FILES_NAME),
        "# schema families: entry points, target packages, namespace -> package map",
        tomlwrite.assignment("families", manifest.families),
        "# the project's own reconstructed DMP schemas (under specs/), copied to the same",
        "# relative path in the store so their relative includes reach the public files",
        tomlwrite.assignment("project_schemas", manifest.project_schemas),
        "",
        "# catalog.xml is authored for dmpkit (no upstream): fetch writes it into the store",
        "# from this map of absolute schemaLocation URL -> store path.",
        "[catalog]",
    ]
    lines += [tomlwrite.assignment(url, local) for url, local in sorted(manifest.catalog.items())]
    lines += ["", "# target namespace -> store paths of the schemas that declare it",
              "[namespaces]"]
    lines += [tomlwrite.assignment(ns, paths) for ns, paths in sorted(manifest.namespaces.items())]
    for repo, facts in sorted(manifest.sources.items()):
        lines += ["", f"[sources.{tomlwrite.key(repo)}]"]
        lines += [tomlwrite.assignment(k, v) for k, v in sorted(facts.items())]
    return "\n".join(lines) + "\n"


def write_manifest(manifest: Manifest, specs_dir: Path) -> None:
    """Write both TOML files under ``specs_dir`` (sorted, so the output is reproducible)."""
    specs_dir.mkdir(parents=True, exist_ok=True)
    (specs_dir / FILES_NAME).write_text(_files_toml(manifest.files.values()), encoding="utf-8")
    (specs_dir / MANIFEST_NAME).write_text(_main_toml(manifest), encoding="utf-8")
