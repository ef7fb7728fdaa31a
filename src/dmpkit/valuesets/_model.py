"""The public value-set types: concepts, value sets, association tables, bindings."""

from __future__ import annotations

import datetime
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field

from dmpkit.valuesets._errors import UnknownCodeError
from dmpkit.valuesets._text import nearest_strings

OID_URN_PREFIX = "urn:oid:"


def _bare_oid(system: str) -> str:
    return system.removeprefix(OID_URN_PREFIX)


@dataclass(frozen=True, slots=True)
class Concept:
    """One code of a value set.

    Attributes:
        code: the code (XDS ``nodeRepresentation``, CDA ``@code``).
        code_system: OID of its code system (XDS ``codingScheme``, CDA ``@codeSystem``).
        display: the display name stated by the set, or None when it states none.
        end_date: end of validity stated by the terminology (NOS ``dateFin``), or None; a
            TRE keeps listing its retired codes with this date.
    """

    code: str
    code_system: str
    display: str | None = None
    end_date: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class ValueSetInfo:
    """A set's identity card, known without loading its codes.

    Attributes:
        key: unique registry key (the generated module name).
        name: NOS name, e.g. ``JDV_J66-TypeCode-DMP``.
        oid: OID stated by the file.
        version: version stated (FHIR version, SVS ``version`` or ``dateMaj``).
        date: date stated, or None.
        kind: ``SVS ValueSet``, ``SVS MappedConceptList``, ``FHIR ValueSet``,
            ``FHIR CodeSystem`` or ``FHIR ConceptMap``.
        count: number of codes (or of mappings for an association table).
        source: the spec-store file it was generated from.
        is_mapping: True for an association table (ASS_*).
    """

    key: str
    name: str
    oid: str
    version: str | None
    date: datetime.date | None
    kind: str
    count: int
    source: str
    is_mapping: bool


@dataclass(frozen=True, slots=True)
class ValueSet:
    """A national value set (JDV) or terminology (TRE) with its codes, in file order.

    Attributes:
        info: identity, version, date, source.
        description: the file's description.
        source_sha256: sha256 of the source file the codes were generated from.
        concepts: the codes.
        system_aliases: OIDs messages may carry for a code system → the OID the set uses.
    """

    info: ValueSetInfo
    description: str
    source_sha256: str
    concepts: tuple[Concept, ...]
    system_aliases: MappingABC[str, str] = field(default_factory=dict, repr=False)
    _by_code: dict[str, tuple[Concept, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code: dict[str, list[Concept]] = {}
        for concept in self.concepts:
            by_code.setdefault(concept.code, []).append(concept)
        # Frozen dataclass: the lookup table is set once, here.
        object.__setattr__(self, "_by_code", {k: tuple(v) for k, v in by_code.items()})

    @property
    def name(self) -> str:
        """NOS name."""
        return self.info.name

    @property
    def oid(self) -> str:
        """OID stated by the file."""
        return self.info.oid

    @property
    def version(self) -> str | None:
        """Version stated by the file."""
        return self.info.version

    @property
    def date(self) -> datetime.date | None:
        """Date stated by the file."""
        return self.info.date

    def __len__(self) -> int:
        return len(self.concepts)

    def _same_system(self, asked: str, concept: Concept) -> bool:
        bare = _bare_oid(asked)
        return concept.code_system in (bare, self.system_aliases.get(bare))

    def find(self, code: str, system: str | None = None) -> Concept | None:
        """The concept with this code (and code system, if given), or None.

        Args:
            code: the code, compared exactly (NOS codes are case-sensitive in XDS).
            system: an OID, bare or ``urn:oid:``; an alias OID of the set's system matches.
        """
        for concept in self._by_code.get(code, ()):
            if system is None or self._same_system(system, concept):
                return concept
        return None

    def contains(self, code: str, system: str | None = None) -> bool:
        """Whether the set holds ``code`` (of code system ``system`` when given)."""
        return self.find(code, system) is not None

    def display(self, code: str, system: str | None = None) -> str | None:
        """The display name of ``code``; None when the set states no display for it.

        Raises:
            UnknownCodeError: the code is not in the set (the error lists the nearest codes).
        """
        concept = self.find(code, system)
        if concept is None:
            raise UnknownCodeError(code, system, self.name,
                                   [c.code for c in self.nearest(code)])
        return concept.display

    def nearest(self, code: str, n: int = 5) -> list[Concept]:
        """The ``n`` concepts whose codes look most like ``code`` (to suggest a fix)."""
        codes = nearest_strings(code, [c.code for c in self.concepts], n)
        return [self._by_code[c][0] for c in codes]


@dataclass(frozen=True, slots=True)
class Mapping:
    """One pair of an association table: source concept → target concept."""

    source: Concept
    target: Concept
    equivalence: str | None = None


@dataclass(frozen=True, slots=True)
class ConceptMap:
    """An association table (ASS_*): e.g. typeCode → classCode, templateId → formatCode.

    Attributes:
        info: identity, version, date, source.
        description: the file's description.
        source_sha256: sha256 of the source file.
        source_set: NOS name of the set the sources come from, when the file states it.
        target_set: NOS name of the set the targets come from, when the file states it.
        mappings: the pairs, in file order.
    """

    info: ValueSetInfo
    description: str
    source_sha256: str
    source_set: str | None
    target_set: str | None
    mappings: tuple[Mapping, ...]

    @property
    def name(self) -> str:
        """NOS name."""
        return self.info.name

    def targets(self, code: str, system: str | None = None) -> tuple[Concept, ...]:
        """The target concepts mapped from ``code`` (of ``system`` if given); may be empty."""
        bare = _bare_oid(system) if system is not None else None
        return tuple(
            m.target for m in self.mappings
            if m.source.code == code and (bare is None or m.source.code_system == bare)
        )


@dataclass(frozen=True, slots=True)
class MetadataBinding:
    """Which value sets constrain a metadata item, the DMP set first.

    Attributes:
        item: XDS metadata name (``typeCode``…) or ``vihf:<attribute>``.
        carrier: where the item appears (DocumentEntry, SubmissionSet, VIHF …).
        dmp_oid: OID of the DMP set, or None when the DMP has none of its own.
        cisis_oid: OID of the CI-SIS set, or None.
        certainty: ``C`` stated in a specification, ``X`` observed, ``I`` inferred.
        source: where the binding is stated.
    """

    item: str
    carrier: str
    dmp_oid: str | None
    cisis_oid: str | None
    certainty: str
    source: str

    @property
    def oids(self) -> tuple[str, ...]:
        """The sets' OIDs in order of precedence (DMP, then CI-SIS)."""
        return tuple(oid for oid in (self.dmp_oid, self.cisis_oid) if oid is not None)


@dataclass(frozen=True, slots=True)
class Derivation:
    """A metadata item whose code follows from another's via association tables.

    Attributes:
        item: the derived item (``classCode``).
        from_item: the item it is derived from (``typeCode``, ``templateId``).
        dmp_oid: OID of the DMP table, or None.
        cisis_oid: OID of the CI-SIS table, or None.
        certainty: C / X / I.
        source: where the rule is stated.
    """

    item: str
    from_item: str
    dmp_oid: str | None
    cisis_oid: str | None
    certainty: str
    source: str

    @property
    def oids(self) -> tuple[str, ...]:
        """The tables' OIDs in order of precedence (DMP, then CI-SIS)."""
        return tuple(oid for oid in (self.dmp_oid, self.cisis_oid) if oid is not None)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One concept found by a text search, with the set it belongs to."""

    value_set: ValueSetInfo
    concept: Concept
