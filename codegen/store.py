"""The local spec store: checking its files against the manifest, installing files
atomically, and the stamp that says a fetch completed."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from codegen.errors import CodegenError
from codegen.integrity import content_sha256, sha256_hex
from codegen.manifest import CATALOG_FILE, FileRecord, Manifest

STAMP_NAME = ".dmpkit-store.json"


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A file whose content differs from its manifest record.

    Attributes:
        path: store path.
        expected: the pinned sha256.
        actual: the sha256 found (``"absent"`` when the file is missing).
    """

    path: str
    expected: str
    actual: str

    def describe(self) -> str:
        """One line naming the file, the expected and the actual hash."""
        return f"{self.path}: expected sha256 {self.expected}, found {self.actual}"


def matches(record: FileRecord, data: bytes) -> bool:
    """Whether ``data`` is the file ``record`` pins (parsed content for transcribed files)."""
    if sha256_hex(data) == record.sha256:
        return True
    if record.transcribed and record.content_sha256:
        try:
            return content_sha256(data, record.path) == record.content_sha256
        except CodegenError:
            return False
    return False


def check_file(record: FileRecord, path: Path) -> Mismatch | None:
    """Compare one file on disk with its record; None when it matches."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Mismatch(record.path, record.sha256, "absent")
    if matches(record, data):
        return None
    return Mismatch(record.path, record.sha256, sha256_hex(data))


def verify_store(manifest: Manifest, store: Path) -> list[Mismatch]:
    """Every manifest file of ``store`` that is absent or differs, in path order."""
    found = (check_file(record, store / record.path) for record in manifest.files.values())
    return [mismatch for mismatch in found if mismatch is not None]


def install_bytes(target: Path, data: bytes) -> bool:
    """Write ``data`` to ``target`` through a temporary file and a rename.

    Returns:
        False when ``target`` already held exactly ``data`` (nothing written).
    """
    try:
        if target.read_bytes() == data:
            return False
    except (FileNotFoundError, IsADirectoryError):
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    # A rename is atomic: a reader sees the old file or the whole new one, never a part.
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".fetch-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def catalog_xml(catalog: dict[str, str]) -> bytes:
    """The OASIS XML catalog mapping each absolute URL to its store file (relative URIs)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!-- Written by `python -m codegen fetch` from specs/manifest.toml [catalog]. -->",
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog" prefer="system">',
    ]
    for url, local in sorted(catalog.items()):
        lines.append(f"  <system systemId={quoteattr(url)} uri={quoteattr(local)}/>")
        lines.append(f"  <uri name={quoteattr(url)} uri={quoteattr(local)}/>")
    lines.append("</catalog>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_catalog(manifest: Manifest, store: Path) -> bool:
    """Install ``catalog.xml`` in the store; False when it was already current."""
    return install_bytes(store / CATALOG_FILE, catalog_xml(manifest.catalog))


def read_stamp(store: Path) -> dict[str, object] | None:
    """The stamp of a completed fetch, or None when absent or unreadable."""
    try:
        stamp = json.loads((store / STAMP_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return stamp if isinstance(stamp, dict) else None


def is_complete(manifest: Manifest, store: Path) -> bool:
    """Whether the last fetch into ``store`` completed for this very manifest."""
    stamp = read_stamp(store)
    return stamp is not None and stamp.get("manifest_sha256") == manifest.digest


def clear_stamp(store: Path) -> None:
    """Mark the store incomplete (before any change, so an interrupted fetch shows)."""
    (store / STAMP_NAME).unlink(missing_ok=True)


# write_stamp's default: keep the package the stamp already names (``regen --accept``).
KEEP_PACKAGE = "keep"


def write_stamp(
    manifest: Manifest, store: Path, dmp_package: dict[str, object] | str | None = KEEP_PACKAGE
) -> None:
    """Mark the store complete for ``manifest`` (the last step of a fetch).

    Args:
        manifest: the manifest the store now matches.
        store: the spec store.
        dmp_package: the official DMP package in use (``DmpPackagePlan.record()``), None for
            the project's reconstructions, or ``KEEP_PACKAGE`` to keep the current choice.
    """
    if dmp_package == KEEP_PACKAGE:
        dmp_package = read_dmp_package(store)
    stamp: dict[str, object] = {"manifest_sha256": manifest.digest, "files": len(manifest.files)}
    if isinstance(dmp_package, dict):
        stamp["dmp_package"] = dmp_package
    install_bytes(store / STAMP_NAME, (json.dumps(stamp, indent=1) + "\n").encode("utf-8"))


def read_dmp_package(store: Path) -> dict[str, object] | None:
    """The official DMP package the store's last fetch used (``path``, ``replaced``,
    ``kept``), or None when it holds the project's reconstructions."""
    stamp = read_stamp(store)
    package = stamp.get("dmp_package") if stamp is not None else None
    if isinstance(package, dict) and isinstance(package.get("path"), str):
        return package
    return None


def describe_dmp_package(store: Path) -> str | None:
    """One line saying the store uses an official DMP package, or None when it does not."""
    package = read_dmp_package(store)
    if package is None:
        return None
    replaced = package.get("replaced")
    count = len(replaced) if isinstance(replaced, list) else 0
    return (f"the spec store uses the official DMP package at {package['path']} "
            f"({count} reconstructed schema(s) replaced)")


def sync_tree(source: Path, target: Path) -> tuple[int, int]:
    """Make ``target`` hold exactly the files of ``source`` (copies changed, removes stale).

    Returns:
        (files written, files removed).
    """
    files: dict[str, bytes] = {}
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[path.relative_to(source).as_posix()] = path.read_bytes()
    return sync_files(files, target)


def sync_files(files: dict[str, bytes], target: Path) -> tuple[int, int]:
    """Make ``target`` hold exactly ``files`` (POSIX relative path → bytes).

    Returns:
        (files written, files removed).
    """
    written = removed = 0
    wanted = {Path(relative) for relative in files}
    for name, data in sorted(files.items()):
        written += install_bytes(target / name, data)
    if target.is_dir():
        for path in sorted(target.rglob("*"), reverse=True):
            relative = path.relative_to(target)
            if "__pycache__" in relative.parts:
                continue
            if path.is_file() and relative not in wanted:
                path.unlink()
                removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return written, removed
