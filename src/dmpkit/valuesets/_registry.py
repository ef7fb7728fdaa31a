"""The registry of national value sets: lookup by name or OID over the generated modules.

Only ``_index.py`` is imported up front; a set's module is imported the first time the set
is asked for, so listing the sets never loads their codes.
"""

from __future__ import annotations

import builtins
import datetime
import importlib
import re
from collections.abc import Iterable
from types import MappingProxyType, ModuleType
from typing import Any

from dmpkit.valuesets._errors import (
    UnknownMetadataItemError,
    UnknownValueSetError,
    ValueSetsNotGeneratedError,
)
from dmpkit.valuesets._model import (
    Concept,
    ConceptMap,
    Derivation,
    Mapping,
    MetadataBinding,
    SearchHit,
    ValueSet,
    ValueSetInfo,
)
from dmpkit.valuesets._text import fold, matches_all_words, nearest_strings

GENERATED_PACKAGE = "dmpkit_bindings.valuesets"
MAX_SUGGESTIONS = 5
_SEPARATORS = re.compile(r"[\s_\-]+")
_NOS_NUMBER = re.compile(r"^(JDV|TRE|ASS)_([A-Z]{1,2}\d+)-", re.IGNORECASE)


def _lookup_key(text: str) -> str:
    # One spelling for names typed by hand: case, accents, '-', '_' and spaces ignored.
    return _SEPARATORS.sub("", fold(text.strip().removeprefix("urn:oid:")))


def _aliases(info: ValueSetInfo) -> set[str]:
    keys = {_lookup_key(info.name), _lookup_key(info.key), info.oid}
    number = _NOS_NUMBER.match(info.name)
    if number:
        # "J66", "JDV_J66", "A04", "X16" …
        keys |= {_lookup_key(number.group(2)), _lookup_key(number.group(1) + number.group(2))}
    return keys


def _date(value: Any) -> datetime.date | None:
    return datetime.date.fromisoformat(str(value)) if value else None


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)


class Registry:
    """Every national value set of the spec store, by name, short name or OID.

    Args:
        package: the generated package to read (tests may point elsewhere).
    """

    def __init__(self, package: str = GENERATED_PACKAGE) -> None:
        self._package = package
        self._infos: tuple[ValueSetInfo, ...] | None = None
        self._by_alias: dict[str, list[ValueSetInfo]] = {}
        self._loaded: dict[str, ValueSet | ConceptMap] = {}
        self._folded: dict[str, list[tuple[str, Concept]]] = {}
        self._system_aliases: MappingProxyType[str, str] | None = None

    # ---- loading ------------------------------------------------------------------------

    def _import(self, module: str) -> ModuleType:
        try:
            return importlib.import_module(f"{self._package}.{module}")
        except ModuleNotFoundError as exc:
            raise ValueSetsNotGeneratedError(
                f"the generated value sets ({self._package}.{module}) are missing: run "
                "`python -m codegen regen`"
            ) from exc

    def _index(self) -> tuple[ValueSetInfo, ...]:
        if self._infos is None:
            infos = tuple(
                ValueSetInfo(str(e.key), str(e.name), str(e.oid), _optional(e.version),
                             _date(e.date), str(e.kind), int(e.count), str(e.source),
                             bool(e.is_mapping))
                for e in self._import("_index").ENTRIES
            )
            for info in infos:
                for alias in _aliases(info):
                    self._by_alias.setdefault(alias, []).append(info)
            self._infos = infos
        return self._infos

    def _aliases_of_systems(self) -> MappingProxyType[str, str]:
        if self._system_aliases is None:
            table = self._import("_bindings").SYSTEM_ALIASES
            self._system_aliases = MappingProxyType({str(k): str(v) for k, v in table.items()})
        return self._system_aliases

    def _load(self, info: ValueSetInfo) -> ValueSet | ConceptMap:
        loaded = self._loaded.get(info.key)
        if loaded is None:
            record = self._import(info.key).RECORD
            if info.is_mapping:
                loaded = ConceptMap(
                    info, str(record.description), str(record.source_sha256),
                    _optional(record.source_set), _optional(record.target_set),
                    tuple(Mapping(Concept(str(m.source_code), str(m.source_system)),
                                  Concept(str(m.target_code), str(m.target_system)),
                                  _optional(m.equivalence))
                          for m in record.mappings),
                )
            else:
                loaded = ValueSet(
                    info, str(record.description), str(record.source_sha256),
                    tuple(Concept(str(c.code), str(c.code_system), _optional(c.display),
                                  _date(c.end_date))
                          for c in record.concepts),
                    self._aliases_of_systems(),
                )
            self._loaded[info.key] = loaded
        return loaded

    # ---- lookup -------------------------------------------------------------------------

    def _suggest(self, query: str, candidates: Iterable[ValueSetInfo]) -> builtins.list[str]:
        by_label: dict[str, str] = {}
        for info in candidates:
            by_label.setdefault(info.name, info.name)
            number = _NOS_NUMBER.match(info.name)
            if number:
                by_label.setdefault(number.group(2), info.name)  # "J67" → near "J66"
        wanted = _lookup_key(query)
        containing = sorted(
            (n for n in set(by_label.values()) if wanted and wanted in _lookup_key(n)),
            key=lambda n: (len(n), n),
        )
        close = [by_label[label] for label in nearest_strings(query, sorted(by_label),
                                                              MAX_SUGGESTIONS)]
        return list(dict.fromkeys(containing + close))[:MAX_SUGGESTIONS]

    def info(self, name_or_oid: str, *, mapping: bool | None = None) -> ValueSetInfo:
        """The identity card of a set or association table.

        Args:
            name_or_oid: NOS name in any spelling (``JDV_J66-TypeCode-DMP``,
                ``jdv_j66_typecode_dmp``), short name (``J66``, ``X16``), registry key or OID
                (bare or ``urn:oid:``).
            mapping: True for association tables only, False for value sets only, None for
                both (value sets win when a short name is shared, e.g. ``A11``).

        Returns:
            The newest publication when several files carry the same name or OID.

        Raises:
            UnknownValueSetError: nothing matches (with close names), or two different sets do.
        """
        infos = self._index()
        exact = [i for i in infos if i.key == name_or_oid.strip()]
        found = exact or list(self._by_alias.get(_lookup_key(name_or_oid), []))
        if mapping is not None:
            found = [i for i in found if i.is_mapping == mapping]
        elif any(not i.is_mapping for i in found):
            found = [i for i in found if not i.is_mapping]
        scope = [i for i in infos if mapping is None or i.is_mapping == mapping]
        if not found:
            wrong_kind = mapping is not None and self._by_alias.get(_lookup_key(name_or_oid))
            reason = ""
            if wrong_kind:
                reason = (f"{name_or_oid!r} is " + ("a value set, not an association table"
                          if mapping else "an association table: use registry.mapping()"))
            raise UnknownValueSetError(name_or_oid, self._suggest(name_or_oid, scope), reason)
        names = sorted({i.name for i in found})
        if len(names) > 1:
            raise UnknownValueSetError(
                name_or_oid, names, f"{name_or_oid!r} is ambiguous: give the full NOS name")
        return max(found, key=lambda i: (i.date or datetime.date.min, i.key == found[0].key))

    def get(self, name_or_oid: str) -> ValueSet:
        """The value set (JDV) or terminology (TRE) with this name or OID.

        Raises:
            UnknownValueSetError: no such set (the message lists close names).
        """
        loaded = self._load(self.info(name_or_oid, mapping=False))
        assert isinstance(loaded, ValueSet)  # the index says it is not a mapping
        return loaded

    def mapping(self, name_or_oid: str) -> ConceptMap:
        """The association table (ASS_*) with this name or OID.

        Raises:
            UnknownValueSetError: no such table.
        """
        loaded = self._load(self.info(name_or_oid, mapping=True))
        assert isinstance(loaded, ConceptMap)
        return loaded

    def list(self, *, mappings: bool = True) -> builtins.list[ValueSetInfo]:
        """Every set (and, unless ``mappings`` is False, association table), sorted by name."""
        return [i for i in self._index() if mappings or not i.is_mapping]

    def contains(self, name_or_oid: str, code: str, system: str | None = None) -> bool:
        """Whether the named set holds ``code`` (of ``system`` when given)."""
        return self.get(name_or_oid).contains(code, system)

    def display(self, name_or_oid: str, code: str, system: str | None = None) -> str | None:
        """The display name of ``code`` in the named set.

        Raises:
            UnknownValueSetError: no such set.
            UnknownCodeError: the code is not in it.
        """
        return self.get(name_or_oid).display(code, system)

    def nearest(self, code: str, value_set: str, n: int = 5) -> builtins.list[Concept]:
        """The ``n`` codes of ``value_set`` that look most like ``code`` (for suggestions)."""
        return self.get(value_set).nearest(code, n)

    def search(self, text: str, *, limit: int | None = None) -> builtins.list[SearchHit]:
        """Concepts whose code or display holds every word of ``text``, across all sets.

        Case and accents are ignored (``"medecine generale"`` finds ``Médecine Générale``).
        Hits come set by set (sets sorted by name), codes in file order.
        """
        words = fold(text).split()
        if not words:
            return []
        hits: builtins.list[SearchHit] = []
        for info in self.list(mappings=False):
            for folded, concept in self._folded_concepts(info):
                if matches_all_words(words, folded):
                    hits.append(SearchHit(info, concept))
                    if limit is not None and len(hits) >= limit:
                        return hits
        return hits

    def _folded_concepts(self, info: ValueSetInfo) -> builtins.list[tuple[str, Concept]]:
        folded = self._folded.get(info.key)
        if folded is None:
            value_set = self._load(info)
            assert isinstance(value_set, ValueSet)
            folded = [(fold(f"{c.code} {c.display or ''}"), c) for c in value_set.concepts]
            self._folded[info.key] = folded
        return folded

    # ---- DMP precedence -----------------------------------------------------------------

    def bindings(self) -> builtins.list[MetadataBinding]:
        """Every metadata item's binding, in the order of the data file."""
        return [
            MetadataBinding(str(b.item), str(b.carrier), _optional(b.dmp), _optional(b.cisis),
                            str(b.certainty), str(b.source))
            for b in self._import("_bindings").BINDINGS
        ]

    def binding(self, item: str) -> MetadataBinding:
        """The binding of one metadata item (name compared without regard to case).

        Raises:
            UnknownMetadataItemError: no binding is recorded for ``item``.
        """
        every = self.bindings()
        for binding in every:
            if binding.item.casefold() == item.strip().casefold():
                return binding
        raise UnknownMetadataItemError(item, [b.item for b in every])

    def for_metadata(self, item: str) -> ValueSet:
        """The value set a DMP metadata item must take its codes from.

        The DMP set when there is one (``typeCode`` → JDV_J66), else the CI-SIS set
        (``authorRole`` → JDV_J47): "DMP sets take precedence over CI-SIS ones".

        Raises:
            UnknownMetadataItemError: no binding is recorded for ``item``.
        """
        return self.get(self.binding(item).oids[0])

    def derivations(self) -> builtins.list[Derivation]:
        """Every derivation rule (e.g. classCode from typeCode), in data-file order."""
        return [
            Derivation(str(d.item), str(d.from_item), _optional(d.dmp), _optional(d.cisis),
                       str(d.certainty), str(d.source))
            for d in self._import("_bindings").DERIVATIONS
        ]

    def derive(self, item: str, from_code: str, from_system: str | None = None
               ) -> tuple[Concept, ...]:
        """The codes of ``item`` that ``from_code`` maps to, DMP table first.

        E.g. ``derive("classCode", "11488-4")`` → the classCode of that typeCode through
        ASS_X16, falling back to ASS_X04. Targets get their display from the item's value set
        when it lists them.

        Returns:
            The targets of the first table that maps ``from_code``; empty when none does.

        Raises:
            UnknownMetadataItemError: no derivation is recorded for ``item``.
        """
        rules = self.derivations()
        rule = next((d for d in rules if d.item.casefold() == item.strip().casefold()), None)
        if rule is None:
            raise UnknownMetadataItemError(item, [d.item for d in rules], "derivation")
        for oid in rule.oids:
            targets = self.mapping(oid).targets(from_code, from_system)
            if targets:
                return self._with_displays(rule.item, targets)
        return ()

    def _with_displays(self, item: str, targets: tuple[Concept, ...]) -> tuple[Concept, ...]:
        try:
            value_set: ValueSet | None = self.for_metadata(item)
        except UnknownMetadataItemError:
            value_set = None
        named = []
        for target in targets:
            listed = value_set.find(target.code, target.code_system) if value_set else None
            named.append(listed or target)
        return tuple(named)
