"""IHE SVS files (``RetrieveValueSetResponse``): value sets and association tables."""

from __future__ import annotations

from lxml import etree

from codegen.valuesets.errors import ValueSetSourceError
from codegen.valuesets.names import canonical_name, url_key
from codegen.valuesets.records import (
    KIND_SVS,
    KIND_SVS_MAPPING,
    ConceptFact,
    ConceptMapFact,
    MappingFact,
    SetHeader,
    SourceFile,
    ValueSetFact,
)
from codegen.xmlsafe import parse_bytes

SVS_NS = "urn:ihe:iti:svs:2008"
_TAG_VALUE_SET = f"{{{SVS_NS}}}ValueSet"
_TAG_CONCEPT_LIST = f"{{{SVS_NS}}}ConceptList"
_TAG_MAPPED_LIST = f"{{{SVS_NS}}}MappedConceptList"
_TAG_CONCEPT = f"{{{SVS_NS}}}Concept"
_TAG_MAPPED = f"{{{SVS_NS}}}MappedConcept"
_NOS_DATE_DIGITS = 8
# A MappedConcept holds the source Concept then the target Concept.
_PAIR = 2


def _nos_stamp_date(stamp: str | None) -> str | None:
    # The NOS writes dates as "YYYYMMDDhhmmss".
    if stamp and len(stamp) >= _NOS_DATE_DIGITS and stamp[:_NOS_DATE_DIGITS].isdigit():
        return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
    return None


def _iso_date(value_set: etree._Element) -> str | None:
    revision = value_set.get("revisionDate")  # ISO already
    if revision:
        return revision[:10]
    return _nos_stamp_date(value_set.get("dateMaj"))


def _header(value_set: etree._Element, kind: str, source: SourceFile) -> SetHeader:
    oid = value_set.get("id")
    if not oid:
        raise ValueSetSourceError(f"{source.path}: ValueSet has no @id (OID)")
    url = value_set.get("urlFichier")
    raw_name = url_key(url) if url else value_set.get("displayName") or ""
    if not raw_name:
        raise ValueSetSourceError(
            f"{source.path}: ValueSet has neither @urlFichier nor @displayName"
        )
    return SetHeader(
        name=canonical_name(raw_name),
        oid=oid,
        version=value_set.get("version") or value_set.get("dateMaj") or None,
        date=_iso_date(value_set),
        description=value_set.get("description") or "",
        kind=kind,
        source=source,
    )


def _concept(element: etree._Element, where: str) -> ConceptFact:
    code, system = element.get("code"), element.get("codeSystem")
    if not code or not system:
        raise ValueSetSourceError(
            f"{where}: Concept line {element.sourceline} lacks code or codeSystem"
        )
    return ConceptFact(code, system, element.get("displayName"),
                       _nos_stamp_date(element.get("dateFin")))


def read_svs(data: bytes, source: SourceFile) -> ValueSetFact | ConceptMapFact:
    """Read one SVS file.

    Returns:
        A :class:`ValueSetFact` for a ``ConceptList``, a :class:`ConceptMapFact` for a
        ``MappedConceptList`` (each ``MappedConcept`` = source ``Concept`` then target).

    Raises:
        ValueSetSourceError: not one SVS ValueSet, or a concept without code/codeSystem.
    """
    root = parse_bytes(data, source.path)
    value_sets = [child for child in root.iter(_TAG_VALUE_SET)]
    if len(value_sets) != 1:
        raise ValueSetSourceError(
            f"{source.path}: expected one {{{SVS_NS}}}ValueSet, found {len(value_sets)}"
        )
    value_set = value_sets[0]
    if value_set.find(_TAG_MAPPED_LIST) is not None:
        pairs = []
        for mapped in value_set.iter(_TAG_MAPPED):
            ends = [_concept(c, source.path) for c in mapped.iter(_TAG_CONCEPT)]
            if len(ends) != _PAIR:
                raise ValueSetSourceError(
                    f"{source.path}: MappedConcept line {mapped.sourceline} has "
                    f"{len(ends)} Concepts, not a source and a target"
                )
            pairs.append(MappingFact(ends[0].code, ends[0].system, ends[1].code, ends[1].system,
                                     None))
        return ConceptMapFact(_header(value_set, KIND_SVS_MAPPING, source), None, None,
                              tuple(pairs))
    concept_list = value_set.find(_TAG_CONCEPT_LIST)
    if concept_list is None:
        raise ValueSetSourceError(f"{source.path}: ValueSet has no ConceptList")
    concepts = tuple(_concept(c, source.path) for c in concept_list.iter(_TAG_CONCEPT))
    return ValueSetFact(_header(value_set, KIND_SVS, source), concepts)
