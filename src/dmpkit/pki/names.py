"""Distinguished names as the VIHF writes them: RFC 2253 with ``GN=`` and ``ST=``.

The Volet Transport (cited by the TLSi kit) asks for RFC 2253 attribute names, so a
given name is ``GN=`` (not ``G=``) and a state is ``ST=`` (not ``S=``). Samples disagree on
the RDN order (``C=FR, …, CN=`` versus ``CN=…, C=FR``), so comparison ignores order.
"""

from __future__ import annotations

from collections import Counter

from cryptography import x509
from cryptography.x509.oid import NameOID, ObjectIdentifier

__all__ = ["dn_matches", "parse_dn", "rfc2253_dn"]

# names cryptography does not know, or knows under another short name
_EXTRA_NAMES: dict[ObjectIdentifier, str] = {
    NameOID.GIVEN_NAME: "GN",
    NameOID.STATE_OR_PROVINCE_NAME: "ST",
    NameOID.SURNAME: "SN",
    NameOID.SERIAL_NUMBER: "SERIALNUMBER",
    NameOID.EMAIL_ADDRESS: "E",
    NameOID.TITLE: "T",
}
_PARSE_NAMES: dict[str, ObjectIdentifier] = {
    **{name: oid for oid, name in _EXTRA_NAMES.items()},
    "G": NameOID.GIVEN_NAME,
    "S": NameOID.STATE_OR_PROVINCE_NAME,
    "EMAILADDRESS": NameOID.EMAIL_ADDRESS,
}


def rfc2253_dn(name: x509.Name) -> str:
    """Render a certificate name as the VIHF Issuer expects (``CN=…,OU=…,ST=…,O=…,C=FR``)."""
    return name.rfc4514_string(attr_name_overrides=_EXTRA_NAMES)


_KNOWN_NAMES: dict[str, ObjectIdentifier] = {
    "CN": NameOID.COMMON_NAME,
    "C": NameOID.COUNTRY_NAME,
    "L": NameOID.LOCALITY_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "STREET": NameOID.STREET_ADDRESS,
    "DC": NameOID.DOMAIN_COMPONENT,
    "UID": NameOID.USER_ID,
    **_PARSE_NAMES,
}


def _split_unescaped(text: str, separators: str) -> list[str]:
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in separators:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _unescape(value: str) -> str:
    out, index = "", 0
    while index < len(value):
        if value[index] == "\\" and index + 1 < len(value):
            out += value[index + 1]
            index += 2
        else:
            out += value[index]
            index += 1
    return out


def parse_dn(text: str) -> list[tuple[str, str]]:
    """Parse an RFC 2253 DN into ``(oid, value)`` pairs, in written order.

    Accepts ``GN``/``G``, ``ST``/``S``, dotted OIDs and spaces after separators.

    Raises:
        ValueError: an attribute is not ``name=value`` or its name is unknown.
    """
    pairs: list[tuple[str, str]] = []
    for part in _split_unescaped(text, ",+;"):
        name, equals, value = part.partition("=")
        if not equals:
            raise ValueError(f"{part.strip()!r} is not an attribute=value pair")
        name = name.strip().upper()
        if name.replace(".", "").isdigit():
            oid = name
        elif name in _KNOWN_NAMES:
            oid = _KNOWN_NAMES[name].dotted_string
        else:
            raise ValueError(f"unknown DN attribute name {name!r}")
        pairs.append((oid, _unescape(value.strip())))
    return pairs


def dn_matches(text: str, name: x509.Name) -> bool:
    """Tell whether ``text`` names the same entity as ``name``, whatever the RDN order."""
    try:
        parsed = Counter(parse_dn(text))
    except ValueError:
        return False
    return parsed == Counter((attr.oid.dotted_string, str(attr.value)) for attr in name)
