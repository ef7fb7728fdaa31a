"""The official DMP package: which of its XSDs replace the project's reconstructed schemas.

A vendor who holds the DMP integration package (GIE SESAM-Vitale) points ``fetch`` at its
folder. Its layout is not public, so each reconstruction under ``specs/dmp/schemas/`` is
matched by file name anywhere in the folder (``PRPA_IN201307UV02.xsd``), else by
``targetNamespace`` when the reconstruction is the only one of its namespace
(``urn:si-dmp-patients``). The matched files take the reconstructions' places; the XSDs they
include or import from inside the package go under ``package/`` (same relative layout), and
a ``schemaLocation`` is rewritten only when the new places change the relative path. The
package folder is only read.
"""

from __future__ import annotations

import posixpath
import re
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from codegen.errors import CodegenError, UsageError
from codegen.xmlsafe import XmlRefusedError, parse_bytes

XS_NS = "http://www.w3.org/2001/XMLSchema"
_SCHEMA_TAG = f"{{{XS_NS}}}schema"
_REFERENCE_TAGS = frozenset(f"{{{XS_NS}}}{name}" for name in ("include", "import", "redefine",
                                                            "override"))
# Under dmp/schemas/ of the store: the official files' own includes and imports.
DEPENDENCY_DIR = "package"
# The CLI value that goes back to the project's reconstructions.
NO_PACKAGE = "none"


class DmpPackageError(CodegenError):
    """The official DMP package cannot be used as given (not an XSD, ambiguous file)."""


@dataclass(frozen=True, slots=True)
class Replacement:
    """One reconstruction replaced by an official file.

    Attributes:
        reconstruction: its path under ``dmp/schemas/`` (POSIX).
        source: the official file, relative to the package folder (POSIX).
        matched_by: ``"file name"`` or ``"targetNamespace <ns>"``.
    """

    reconstruction: str
    source: str
    matched_by: str


@dataclass(slots=True)
class DmpPackagePlan:
    """What ``dmp/schemas/`` of the store holds when it uses an official package.

    Attributes:
        package: the package folder (absolute).
        files: schemas-relative POSIX path → bytes to install (reconstructions overlaid).
        replacements: the reconstructions replaced, in path order.
        dependencies: schemas-relative paths of the official includes/imports copied.
        kept: reconstructions with no official counterpart (kept as they are).
        rewritten: ``file: old -> new`` for each schemaLocation adjusted to the new layout.
        to_store: references left as they are that resolve to a store file (a public
            schema or a kept reconstruction), ``file: location``.
        warnings: references that resolve nowhere, files of the package refused.
    """

    package: Path
    files: dict[str, bytes] = field(default_factory=dict)
    replacements: list[Replacement] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    rewritten: list[str] = field(default_factory=list)
    to_store: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per replacement, kept reconstruction, rewrite and warning."""
        out = [f"replaced {r.reconstruction} <- {r.source} (by {r.matched_by})"
               for r in self.replacements]
        out += [f"copied {path} (included or imported by an official file)"
                for path in self.dependencies]
        out += [f"rewrote schemaLocation in {line}" for line in self.rewritten]
        if self.to_store:
            out.append(f"{len(self.to_store)} reference(s) outside the package resolve to store "
                       f"files and are left as they are (e.g. {self.to_store[0]})")
        out += [f"warning: {path} has no counterpart in the package; the reconstruction is kept"
                for path in self.kept]
        out += [f"warning: {line}" for line in self.warnings]
        return out

    def record(self) -> dict[str, object]:
        """What the store's stamp remembers of this package."""
        return {
            "path": str(self.package),
            "replaced": [r.reconstruction for r in self.replacements],
            "kept": list(self.kept),
        }


@dataclass(frozen=True, slots=True)
class _Schema:
    path: Path
    data: bytes
    target_namespace: str
    references: tuple[str, ...]


def _read_schema(path: Path, name: str) -> _Schema:
    """Parse one file through the hardened parser; refuse anything but an ``xs:schema``."""
    data = path.read_bytes()
    try:
        root = parse_bytes(data, name)
    except XmlRefusedError as exc:
        raise DmpPackageError(f"refused {exc}") from None
    if root.tag != _SCHEMA_TAG:
        raise DmpPackageError(f"refused {name}: root element {root.tag} is not xs:schema")
    references = tuple(
        str(element.get("schemaLocation")) for element in root
        if element.tag in _REFERENCE_TAGS and element.get("schemaLocation")
    )
    return _Schema(path, data, root.get("targetNamespace") or "", references)


def _scan_package(package: Path) -> tuple[dict[Path, _Schema], dict[Path, str]]:
    """Every ``.xsd`` of the package: parsed schemas, and refused files with the reason."""
    schemas: dict[Path, _Schema] = {}
    refused: dict[Path, str] = {}
    for path in sorted(package.rglob("*")):
        if not path.is_file() or path.suffix.lower() != ".xsd":
            continue
        resolved = path.resolve()
        if not resolved.is_relative_to(package):
            continue  # a link leading out of the package is not part of it
        try:
            schemas[resolved] = _read_schema(resolved, path.relative_to(package).as_posix())
        except DmpPackageError as exc:
            refused[resolved] = str(exc)
    return schemas, refused


def _roots(candidates: list[_Schema]) -> list[_Schema]:
    """The candidates no other candidate includes (a namespace split over several files)."""
    included = {
        (schema.path.parent / location).resolve()
        for schema in candidates for location in schema.references
    }
    return [schema for schema in candidates if schema.path not in included]


def _relative(package: Path, path: Path) -> str:
    return path.relative_to(package).as_posix()


def _match(
    reconstruction: str,
    own: _Schema,
    shared_namespace: bool,
    package: Path,
    schemas: dict[Path, _Schema],
    refused: dict[Path, str],
) -> tuple[_Schema, str] | None:
    name = posixpath.basename(reconstruction).lower()
    for path, reason in refused.items():
        if path.name.lower() == name:
            raise DmpPackageError(f"counterpart of {reconstruction}: {reason}")
    by_name = [s for s in schemas.values() if s.path.name.lower() == name]
    if len(by_name) > 1:
        found = ", ".join(_relative(package, s.path) for s in by_name)
        raise DmpPackageError(f"{reconstruction}: several files of that name in the package "
                              f"({found}); keep one")
    if by_name:
        return by_name[0], "file name"
    if shared_namespace or not own.target_namespace:
        return None
    by_namespace = [s for s in schemas.values() if s.target_namespace == own.target_namespace]
    if len(by_namespace) > 1:
        by_namespace = _roots(by_namespace)
    if len(by_namespace) > 1:
        found = ", ".join(_relative(package, s.path) for s in by_namespace)
        raise DmpPackageError(f"{reconstruction}: several package files declare "
                              f"{own.target_namespace} ({found}); keep one")
    if by_namespace:
        return by_namespace[0], f"targetNamespace {own.target_namespace}"
    return None


def _rewrite(data: bytes, old: str, new: str, name: str) -> bytes:
    pattern = re.compile(rb"(schemaLocation\s*=\s*)([\"'])" + re.escape(old.encode()) + rb"\2")
    rewritten, count = pattern.subn(lambda m: m.group(1) + m.group(2) + new.encode()
                                    + m.group(2), data)
    if count == 0:
        raise DmpPackageError(f"{name}: cannot rewrite schemaLocation {old!r} (escaped?)")
    return rewritten


def plan_dmp_package(
    package: Path,
    reconstructions: Path,
    *,
    store_files: Collection[str] = (),
    schemas_prefix: str = "dmp/schemas",
) -> DmpPackagePlan:
    """Decide what replaces the project's reconstructed schemas from an official package.

    Args:
        package: the official DMP package folder (never modified).
        reconstructions: the project's schema folder (``specs/dmp/schemas``).
        store_files: store-relative paths of the pinned public files, so that a reference
            the package does not hold but the store does is not reported as broken.
        schemas_prefix: where the reconstructions sit in the store.

    Returns:
        The plan; its ``files`` are the full content of ``<store>/dmp/schemas/``.

    Raises:
        UsageError: ``package`` is not a folder.
        DmpPackageError: a counterpart or an included file is not an XSD (or not
            well-formed, or uses a DTD), or several package files fit one reconstruction.
    """
    if not package.is_dir():
        raise UsageError(f"--dmp-package {package}: no such folder")
    package = package.resolve()
    plan = DmpPackagePlan(package)
    own: dict[str, _Schema] = {}
    for path in sorted(reconstructions.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            relative = path.relative_to(reconstructions).as_posix()
            plan.files[relative] = path.read_bytes()
            if path.suffix == ".xsd":
                own[relative] = _read_schema(path, str(path))
    namespaces = [schema.target_namespace for schema in own.values()]
    schemas, refused = _scan_package(package)

    destination: dict[Path, str] = {}
    for relative, schema in own.items():
        shared = namespaces.count(schema.target_namespace) > 1
        found = _match(relative, schema, shared, package, schemas, refused)
        if found is None:
            plan.kept.append(relative)
            continue
        official, how = found
        if official.path in destination:
            raise DmpPackageError(f"{_relative(package, official.path)} fits both "
                                  f"{destination[official.path]} and {relative}")
        if how == "file name" and official.target_namespace != schema.target_namespace:
            plan.warnings.append(f"{_relative(package, official.path)} declares "
                                 f"{official.target_namespace or 'no namespace'}, the "
                                 f"reconstruction {schema.target_namespace or 'none'}")
        destination[official.path] = relative
        plan.replacements.append(Replacement(relative, _relative(package, official.path), how))

    # The closure of the matched files' includes/imports that resolve inside the package.
    pending = deque(destination)
    links: dict[Path, list[tuple[str, Path]]] = {}
    while pending:
        current = pending.popleft()
        name = _relative(package, current)
        links[current] = []
        for location in schemas[current].references:
            if urlsplit(location).scheme:
                continue  # an absolute URL: the catalog of the store serves it, if pinned
            target = (current.parent / location).resolve()
            if target in refused:
                raise DmpPackageError(f"{name} includes {location}: {refused[target]}")
            if target not in schemas:
                # Left as is, the reference is read from the file's place in the store.
                in_store = posixpath.normpath(posixpath.join(
                    schemas_prefix, posixpath.dirname(destination[current]), location))
                own_file = in_store.removeprefix(f"{schemas_prefix}/")
                if in_store in store_files or own_file in plan.files:
                    plan.to_store.append(f"{name}: {location}")
                else:
                    where = "in" if target.is_relative_to(package) else "outside"
                    plan.warnings.append(f"{name}: {location} is {where} the package but "
                                         "not a file there nor in the store, left as is")
                continue
            links[current].append((location, target))
            if target not in destination:
                destination[target] = f"{DEPENDENCY_DIR}/{_relative(package, target)}"
                plan.dependencies.append(destination[target])
                pending.append(target)

    for source, placed in destination.items():
        data = schemas[source].data
        for location, target in links[source]:
            wanted = posixpath.relpath(destination[target], posixpath.dirname(placed) or ".")
            if wanted != location:
                data = _rewrite(data, location, wanted, _relative(package, source))
                plan.rewritten.append(f"{placed}: {location} -> {wanted}")
        parse_bytes(data, placed)  # the rewritten bytes are still well-formed
        plan.files[placed] = data
    plan.warnings += [f"ignored: {reason}" for reason in refused.values()]
    plan.replacements.sort(key=lambda r: r.reconstruction)
    plan.dependencies.sort()
    return plan
