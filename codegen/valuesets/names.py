"""NOS names: how a set's name, module name and canonical-URL key are derived."""

from __future__ import annotations

import re

NOS_URL_PREFIX = "https://mos.esante.gouv.fr/NOS/"
OID_URN_PREFIX = "urn:oid:"
_NOS_PREFIXES = ("JDV", "TRE", "ASS")
_NOS_NUMBER = re.compile(r"^[A-Z]{1,2}\d+$")
_NOT_IDENTIFIER = re.compile(r"[^a-z0-9]+")


def canonical_name(raw: str) -> str:
    """The NOS name in one spelling: ``<JDV|TRE|ASS>_<number>-<Words>-…``.

    The files spell one name several ways (``JDV_J01_XdsAuthorSpecialty_CISIS``,
    ``JDV_J38_ModeAcces-CISIS``, ``TRE_R248_ModeAcces``); README-fr uses the form above.
    """
    stem = raw.removesuffix(".tabs")
    parts = [p for p in re.split(r"[-_]", stem) if p]
    if len(parts) < 2 or parts[0] not in _NOS_PREFIXES:
        return stem
    if _NOS_NUMBER.match(parts[1]) and len(parts) > 2:
        return f"{parts[0]}_{parts[1]}-" + "-".join(parts[2:])
    return f"{parts[0]}_" + "-".join(parts[1:])


def url_key(url: str) -> str:
    """The key a canonical URL is looked up by: its canonical NOS name, else the URL itself.

    ``https://mos.esante.gouv.fr/NOS/TRE_A04-Loinc/FHIR/TRE-A04-Loinc`` → ``TRE_A04-Loinc``.
    """
    if url.startswith(NOS_URL_PREFIX):
        return canonical_name(url[len(NOS_URL_PREFIX):].split("/", 1)[0])
    return url


def module_name(name: str) -> str:
    """A Python module name for a set name: lower case, ``_`` between words."""
    return _NOT_IDENTIFIER.sub("_", name.lower()).strip("_")


def strip_oid_urn(value: str) -> str:
    """``urn:oid:1.2.3`` → ``1.2.3`` (the FHIR identifier form → the XDS/CDA form)."""
    return value.removeprefix(OID_URN_PREFIX)
