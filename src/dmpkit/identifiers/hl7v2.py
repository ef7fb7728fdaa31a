"""HL7 v2.5 composite datatypes carried in XDS slots: HD, CX, XCN, XON, CWE-like codes.

XDS writes them with the default delimiters: ``^`` between components, ``&`` between
sub-components. A delimiter inside a value is escaped (``\\S\\`` for ``^``, ``\\T\\`` for ``&``,
``\\F\\`` for ``|``, ``\\R\\`` for ``~``, ``\\E\\`` for ``\\``); parsing undoes it, formatting
redoes it, so ``parse(format(x)) == x`` for every value.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TypeVar

from dmpkit.errors import DmpkitError

__all__ = [
    "Cwe",
    "Cx",
    "Hd",
    "Hl7v2FormatError",
    "Xcn",
    "Xon",
    "escape",
    "unescape",
]

_ESCAPES = {"\\": "\\E\\", "|": "\\F\\", "^": "\\S\\", "&": "\\T\\", "~": "\\R\\"}
_UNESCAPES = {v[1]: k for k, v in _ESCAPES.items()}


class Hl7v2FormatError(DmpkitError, ValueError):
    """A string is not the HL7 v2 datatype expected (e.g. too many components)."""


def escape(text: str) -> str:
    """Escape the HL7 v2 delimiters in a component value."""
    if not any(c in text for c in _ESCAPES):
        return text
    return "".join(_ESCAPES.get(c, c) for c in text)


def unescape(text: str) -> str:
    """Undo :func:`escape`; an unknown escape sequence is kept as written."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 2 < len(text) and text[i + 2] == "\\" and text[i + 1] in _UNESCAPES:
            out.append(_UNESCAPES[text[i + 1]])
            i += 3
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _join(parts: list[str], sep: str) -> str:
    while parts and parts[-1] == "":
        parts.pop()
    return sep.join(parts)


def _split(text: str, sep: str, most: int, what: str) -> list[str]:
    parts = text.split(sep)
    if len(parts) > most:
        raise Hl7v2FormatError(f"{what} {text!r} has {len(parts)} parts separated by {sep!r}, "
                               f"at most {most} are defined")
    return parts + [""] * (most - len(parts))


@dataclass(frozen=True, slots=True)
class Hd:
    """HD, a hierarchic designator: an assigning authority, ``namespace&OID&ISO``."""

    namespace_id: str = ""
    universal_id: str = ""
    universal_id_type: str = ""

    @classmethod
    def parse(cls, text: str) -> Hd:
        """Parse an HD written as sub-components (``&``-separated, escaped)."""
        return cls(*(unescape(p) for p in _split(text, "&", 3, "HD")))

    def format(self) -> str:
        """The HD as sub-components."""
        return _join([escape(self.namespace_id), escape(self.universal_id),
                      escape(self.universal_id_type)], "&")

    @classmethod
    def iso(cls, oid: str) -> Hd:
        """The usual XDS form of an authority: ``&<OID>&ISO``."""
        return cls("", oid, "ISO")

    def __bool__(self) -> bool:
        return bool(self.namespace_id or self.universal_id or self.universal_id_type)


_T = TypeVar("_T")


def _parse_composite(cls: type[_T], text: str) -> _T:
    """Components as dataclass fields, in HL7 order; HD-typed fields are sub-component lists."""
    specs = fields(cls)  # type: ignore[arg-type]
    parts = _split(text, "^", len(specs), cls.__name__.upper())
    values = [Hd.parse(part) if spec.type in ("Hd", Hd) else unescape(part)
              for spec, part in zip(specs, parts, strict=True)]
    return cls(*values)


def _format_composite(value: object) -> str:
    parts: list[str] = []
    for spec in fields(value):  # type: ignore[arg-type]
        component = getattr(value, spec.name)
        parts.append(component.format() if isinstance(component, Hd) else escape(component))
    return _join(parts, "^")


@dataclass(frozen=True, slots=True)
class Cx:
    """CX, an identifier with its assigning authority (``patientId``, ``sourcePatientId``).

    ``referenceIdList`` values (CXi) use the same components, the type code (CX.5) being a
    code of JDV_J231 for the DMP.
    """

    id_number: str = ""
    check_digit: str = ""
    check_digit_scheme: str = ""
    assigning_authority: Hd = Hd()
    identifier_type_code: str = ""
    assigning_facility: Hd = Hd()

    @classmethod
    def parse(cls, text: str) -> Cx:
        """Parse ``id^^^&OID&ISO^TYPE``.

        Raises:
            Hl7v2FormatError: more components than CX defines.
        """
        return _parse_composite(cls, text)

    def format(self) -> str:
        """The CX string."""
        return _format_composite(self)


@dataclass(frozen=True, slots=True)
class Xcn:
    """XCN, a person with an identifier (``authorPerson``, ``legalAuthenticator``).

    DMP form for a professional: ``IdNat^NOM^Prénom^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS``.
    """

    id_number: str = ""
    family_name: str = ""
    given_name: str = ""
    second_names: str = ""
    suffix: str = ""
    prefix: str = ""
    degree: str = ""
    source_table: str = ""
    assigning_authority: Hd = Hd()
    name_type_code: str = ""
    check_digit: str = ""
    check_digit_scheme: str = ""
    identifier_type_code: str = ""

    @classmethod
    def parse(cls, text: str) -> Xcn:
        """Parse an XCN string.

        Raises:
            Hl7v2FormatError: more components than XCN defines here (13).
        """
        return _parse_composite(cls, text)

    def format(self) -> str:
        """The XCN string."""
        return _format_composite(self)


@dataclass(frozen=True, slots=True)
class Xon:
    """XON, an organisation (``authorInstitution``).

    DMP form: ``Nom^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^<Struct_IdNat>``.
    """

    organization_name: str = ""
    name_type_code: str = ""
    id_number: str = ""
    check_digit: str = ""
    check_digit_scheme: str = ""
    assigning_authority: Hd = Hd()
    identifier_type_code: str = ""
    assigning_facility: Hd = Hd()
    name_representation_code: str = ""
    organization_identifier: str = ""

    @classmethod
    def parse(cls, text: str) -> Xon:
        """Parse an XON string.

        Raises:
            Hl7v2FormatError: more components than XON defines (10).
        """
        return _parse_composite(cls, text)

    def format(self) -> str:
        """The XON string."""
        return _format_composite(self)

    @property
    def identifier(self) -> str:
        """The organisation identifier: XON.10, or XON.3 in older messages."""
        return self.organization_identifier or self.id_number


@dataclass(frozen=True, slots=True)
class Cwe:
    """A coded value written ``code^display^codingScheme`` (``authorRole``, ``authorSpecialty``)."""

    code: str = ""
    display: str = ""
    coding_scheme: str = ""

    @classmethod
    def parse(cls, text: str) -> Cwe:
        """Parse ``code^display^scheme`` (extra components of a full CWE are refused).

        Raises:
            Hl7v2FormatError: more than three components.
        """
        return _parse_composite(cls, text)

    def format(self) -> str:
        """The coded value string."""
        return _format_composite(self)
