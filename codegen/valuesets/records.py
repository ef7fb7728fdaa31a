"""The value-set facts codegen reads from the spec store, before they are rendered."""

from __future__ import annotations

from dataclasses import dataclass

# How a set was published; shown by the runtime and the CLI.
KIND_SVS = "SVS ValueSet"
KIND_SVS_MAPPING = "SVS MappedConceptList"
KIND_FHIR_VALUESET = "FHIR ValueSet"
KIND_FHIR_CODESYSTEM = "FHIR CodeSystem"
KIND_FHIR_CONCEPTMAP = "FHIR ConceptMap"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input file of the store.

    Attributes:
        path: store-relative POSIX path.
        sha256: sha256 of its bytes.
    """

    path: str
    sha256: str


@dataclass(frozen=True, slots=True)
class ConceptFact:
    """One code of a set, with the OID of its code system.

    Attributes:
        end_date: ISO date of the end of validity the terminology states (NOS ``dateFin``).
    """

    code: str
    system: str
    display: str | None
    end_date: str | None = None


@dataclass(frozen=True, slots=True)
class MappingFact:
    """One source → target pair of an association table (ASS_*)."""

    source_code: str
    source_system: str
    target_code: str
    target_system: str
    equivalence: str | None


@dataclass(frozen=True, slots=True)
class SetHeader:
    """What every published set states about itself.

    Attributes:
        name: NOS name, e.g. ``JDV_J66-TypeCode-DMP``.
        oid: the OID stated in the file (``ValueSet@id`` or FHIR ``identifier``).
        version: the version stated (FHIR ``version``, SVS ``@version`` or ``@dateMaj``).
        date: ISO date ``YYYY-MM-DD`` stated, or None.
        description: the file's description, or an empty string.
        kind: one of the ``KIND_*`` constants.
        source: the file it was read from.
    """

    name: str
    oid: str
    version: str | None
    date: str | None
    description: str
    kind: str
    source: SourceFile


@dataclass(frozen=True, slots=True)
class ValueSetFact:
    """A value set or code system: a header and its codes in file order."""

    header: SetHeader
    concepts: tuple[ConceptFact, ...]


@dataclass(frozen=True, slots=True)
class ConceptMapFact:
    """An association table: a header, the source/target sets named, and the pairs."""

    header: SetHeader
    source_set: str | None
    target_set: str | None
    mappings: tuple[MappingFact, ...]
