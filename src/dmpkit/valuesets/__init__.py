"""National value sets (NOS): JDV, TRE and ASS tables of the French health terminologies.

Every set of the spec store's ``nos/`` folder (IHE SVS XML and FHIR JSON) is generated into
``dmpkit_bindings.valuesets``; :data:`registry` finds them by name or OID::

    >>> from dmpkit.valuesets import registry
    >>> j66 = registry.for_metadata("typeCode")
    >>> j66.name, j66.contains("34874-8", "2.16.840.1.113883.6.1")
    ('JDV_J66-TypeCode-DMP', True)
"""

from __future__ import annotations

from dmpkit.valuesets._errors import (
    UnknownCodeError,
    UnknownMetadataItemError,
    UnknownValueSetError,
    ValueSetError,
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
from dmpkit.valuesets._registry import Registry

__all__ = [
    "Concept",
    "ConceptMap",
    "Derivation",
    "Mapping",
    "MetadataBinding",
    "Registry",
    "SearchHit",
    "UnknownCodeError",
    "UnknownMetadataItemError",
    "UnknownValueSetError",
    "ValueSet",
    "ValueSetError",
    "ValueSetInfo",
    "ValueSetsNotGeneratedError",
    "registry",
]

#: The registry over the generated value sets; modules load on first use.
registry = Registry()
