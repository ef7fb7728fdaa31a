"""Read an ISO Schematron from the spec store into one self-contained, expanded tree.

What the ISO skeleton's include and abstract-expansion steps do, done in Python on an
in-memory copy so the upstream files stay untouched:

* ``sch:include`` is replaced by the included file's document element, the href resolved
  on the file system relative to the including file (raw spaces and non-ASCII directory
  names included), never outside the spec store;
* ``sch:pattern[@is-a]`` becomes a copy of its abstract pattern with every ``$param``
  substituted in the attributes; abstract patterns are then dropped;
* abstract rules are set apart, to become named templates that ``sch:extends`` calls;
* the default phase, when the schema names one, selects the active patterns.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from dmpkit.cda.schematron.errors import (
    SchematronIncludeError,
    SchematronSecurityError,
    SchematronSyntaxError,
)
from dmpkit.xmlparse import parse_xml_file

__all__ = [
    "SCH",
    "SOURCE_ATTRIBUTE",
    "ExpandedSchematron",
    "expand",
    "resolve_case_insensitively",
]

SCH = "http://purl.oclc.org/dsdl/schematron"
# Marks the root of each included fragment with its store-relative file, for findings.
SOURCE_ATTRIBUTE = "{urn:dmpkit:schematron}source"
_Q = "{" + SCH + "}"
_PARAM_REFERENCE = "(?![\\w.\\-])"


@dataclass(frozen=True, slots=True)
class ExpandedSchematron:
    """A schematron with includes, abstract patterns, abstract rules and phases resolved.

    Attributes:
        path: the main ``.sch`` file.
        root: the expanded ``sch:schema`` element (a private copy).
        inputs: every file read, as ``(store-relative path, sha256)`` pairs, main file first.
        phase: the phase applied (``None`` when every pattern is active).
        abstract_rules: the abstract rules by id, taken out of the tree; each ``extends``
            left in a rule names one of them.
        notes: upstream defects worked around while reading (e.g. include case mismatches).
    """

    path: Path
    root: etree._Element
    inputs: tuple[tuple[str, str], ...]
    phase: str | None
    abstract_rules: dict[str, etree._Element]
    notes: list[str]


def _relative(path: Path, store: Path) -> str:
    return path.relative_to(store).as_posix()


def resolve_case_insensitively(path: Path, store: Path) -> Path | None:
    """The one file of the store whose path matches ``path`` ignoring case, if any.

    The ANS tester runs on Windows, whose file system ignores case: several CI-SIS includes
    and value-set paths differ in case from the files they name (``Sections`` vs
    ``sections``), and resolve there.
    """
    relative = path.resolve().relative_to(store)
    current = store
    for part in relative.parts:
        exact = current / part
        if exact.exists():
            current = exact
            continue
        if not current.is_dir():
            return None
        matches = [c for c in current.iterdir() if c.name.casefold() == part.casefold()]
        if len(matches) != 1:
            return None
        current = matches[0]
    return current if current.is_file() else None


def _resolve_href(href: str, referrer: Path, store: Path, notes: list[str]) -> Path:
    candidates = [referrer.parent / href]
    if "%" in href:
        candidates.append(referrer.parent / unquote(href))
    for candidate in candidates:
        resolved = candidate.resolve()
        if not resolved.is_relative_to(store):
            raise SchematronSecurityError(
                f"{_relative(referrer, store)} includes {href!r}, outside the spec store"
            )
        if resolved.is_file():
            return resolved
    for candidate in candidates:
        found = resolve_case_insensitively(candidate, store)
        if found is not None:
            notes.append(f"upstream defect handled: {_relative(referrer, store)} includes "
                         f"{href!r}, found as {_relative(found, store)} (case differs; the "
                         "ANS tester's Windows file system ignores case)")
            return found
    missing = _relative(candidates[0].resolve(), store)
    raise SchematronIncludeError(
        f"{_relative(referrer, store)} includes {href!r}, absent from the spec store ({missing})",
        missing,
    )


class _Reader:
    """Reads files once each and records their digests."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.inputs: dict[str, str] = {}
        self.notes: list[str] = []

    def load(self, path: Path, depth: int = 0) -> etree._Element:
        if depth > 32:
            raise SchematronSyntaxError(f"include nesting deeper than 32 at {path.name}")
        root = parse_xml_file(path)
        self.inputs.setdefault(_relative(path, self.store),
                               hashlib.sha256(path.read_bytes()).hexdigest())
        root.set(SOURCE_ATTRIBUTE, _relative(path, self.store))
        for include in list(root.iter(_Q + "include")):
            href = include.get("href")
            if not href:
                raise SchematronSyntaxError(f"sch:include without href in {path.name}")
            target = self.load(_resolve_href(href, path, self.store, self.notes), depth + 1)
            parent = include.getparent()
            if parent is None:
                return target
            target.tail = include.tail
            parent.replace(include, target)
        return root


def _substitute(text: str, params: list[tuple[str, str]]) -> str:
    for name, value in params:
        pattern = re.compile(r"\$" + re.escape(name) + _PARAM_REFERENCE)
        # A function replacement: the value's backslashes must not be read as escapes.
        text = pattern.sub(lambda _match: value, text)  # noqa: B023 - used at once
    return text


def _expand_abstract_patterns(root: etree._Element) -> None:
    abstracts = {p.get("id"): p for p in root.iter(_Q + "pattern") if p.get("abstract") == "true"}
    for instance in list(root.iter(_Q + "pattern")):
        name = instance.get("is-a")
        if name is None:
            continue
        abstract = abstracts.get(name)
        if abstract is None:
            raise SchematronSyntaxError(f"pattern {instance.get('id')!r} is-a unknown {name!r}")
        # Longest names first: $path_jdv must not eat the start of $path_jdv1.
        params = sorted(((p.get("name", ""), p.get("value", ""))
                         for p in instance.findall(_Q + "param")),
                        key=lambda item: -len(item[0]))
        for param in instance.findall(_Q + "param"):
            instance.remove(param)
        for child in abstract:
            if not isinstance(child.tag, str) or child.tag == _Q + "p":
                continue
            clone = copy.deepcopy(child)
            for element in clone.iter(etree.Element):
                for key, value in element.attrib.items():
                    if "$" in str(value):
                        element.set(key, _substitute(str(value), params))
            instance.append(clone)
        del instance.attrib["is-a"]
        if instance.get(SOURCE_ATTRIBUTE) is None:
            source = abstract.get(SOURCE_ATTRIBUTE)
            if source:
                instance.set(SOURCE_ATTRIBUTE, source)
    for abstract in abstracts.values():
        parent = abstract.getparent()
        if parent is not None:
            parent.remove(abstract)


def _take_abstract_rules(root: etree._Element) -> dict[str, etree._Element]:
    """Remove the abstract rules from the tree, checking every ``extends`` names one."""
    abstracts: dict[str, etree._Element] = {}
    for rule in list(root.iter(_Q + "rule")):
        if rule.get("abstract") != "true":
            continue
        rule_id = rule.get("id")
        if not rule_id:
            raise SchematronSyntaxError("abstract sch:rule without id")
        abstracts.setdefault(rule_id, rule)
        parent = rule.getparent()
        if parent is not None:
            parent.remove(rule)
    for rule_id in abstracts:
        _check_no_cycle(rule_id, abstracts, ())
    for extends in root.iter(_Q + "extends"):
        if extends.get("href"):
            raise SchematronSyntaxError("sch:extends/@href is not supported")
        if extends.get("rule") not in abstracts:
            raise SchematronSyntaxError(
                f"sch:extends names unknown abstract rule {extends.get('rule')!r}")
    return abstracts


def _check_no_cycle(rule_id: str, abstracts: dict[str, etree._Element],
                    seen: tuple[str, ...]) -> None:
    if rule_id in seen:
        raise SchematronSyntaxError(f"abstract rules extend in a cycle: {(*seen, rule_id)}")
    rule = abstracts.get(rule_id)
    if rule is None:
        raise SchematronSyntaxError(f"sch:extends names unknown abstract rule {rule_id!r}")
    for extends in rule.iter(_Q + "extends"):
        _check_no_cycle(extends.get("rule", ""), abstracts, (*seen, rule_id))


def _apply_phase(root: etree._Element, phase: str | None) -> str | None:
    chosen = phase if phase is not None else root.get("defaultPhase")
    if chosen in (None, "#ALL"):
        return None
    phases = {p.get("id"): p for p in root.iter(_Q + "phase")}
    selected = phases.get(chosen)
    if selected is None:
        raise SchematronSyntaxError(f"phase {chosen!r} is not declared")
    active = {a.get("pattern") for a in selected.iter(_Q + "active")}
    for pattern in list(root.iter(_Q + "pattern")):
        if pattern.get("id") not in active:
            parent = pattern.getparent()
            if parent is not None:
                parent.remove(pattern)
    return chosen


def expand(path: Path, store: Path, *, phase: str | None = None) -> ExpandedSchematron:
    """Read and expand one schematron of the spec store.

    Args:
        path: the main ``.sch`` file, inside ``store``.
        store: the spec store folder (every file read must sit inside it).
        phase: the phase to apply; default: the schema's ``defaultPhase`` (all when absent).

    Raises:
        SchematronIncludeError: an included file is absent (upstream defect).
        SchematronSecurityError: an include points outside the store.
        SchematronSyntaxError: an unsupported or inconsistent construct.
    """
    store = store.resolve()
    main = path.resolve()
    if not main.is_relative_to(store):
        raise SchematronSecurityError(f"{path} is outside the spec store {store}")
    reader = _Reader(store)
    root = reader.load(main)
    if root.tag != _Q + "schema":
        raise SchematronSyntaxError(f"{main.name}: root is {root.tag}, not sch:schema")
    _expand_abstract_patterns(root)
    abstract_rules = _take_abstract_rules(root)
    applied = _apply_phase(root, phase)
    return ExpandedSchematron(main, root, tuple(reader.inputs.items()), applied, abstract_rules,
                              reader.notes)
