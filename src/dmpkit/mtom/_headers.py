"""MIME header parsing and building for MTOM: Content-Type parameters, part headers, cid URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from dmpkit.mtom._errors import MtomHeaderError

__all__ = [
    "MediaType",
    "check_header_value",
    "cid_from_content_id",
    "cid_from_href",
    "format_media_type",
    "href_for_cid",
    "parse_media_type",
    "parse_part_headers",
]

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"  # noqa: S105 (an RFC 7230 token, not a secret)
_MEDIA_TYPE = re.compile(rf"\s*({_TOKEN})/({_TOKEN})\s*")
_QUOTED = r'"((?:[^"\\]|\\.)*)"'
_PARAMETER = re.compile(rf"\s*;\s*({_TOKEN})\s*=\s*(?:({_TOKEN})|{_QUOTED})\s*", re.DOTALL)
_TRAILING_SEMICOLON = re.compile(r"\s*;?\s*")
_FORBIDDEN_IN_HEADER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# RFC 2392 lets a cid URL carry any addr-spec character; the rest is percent-encoded.
_CID_SAFE = "@.!$&'()*+,;=:~-_"


@dataclass(frozen=True, slots=True)
class MediaType:
    """A parsed media type: lower-cased ``type/subtype`` and its parameters (names lower-cased)."""

    essence: str
    parameters: dict[str, str]

    def get(self, name: str) -> str | None:
        """The value of one parameter, or ``None``."""
        return self.parameters.get(name.lower())


def parse_media_type(text: str) -> MediaType:
    """Parse a Content-Type value per RFC 2045 §5.1 (tokens and quoted strings).

    Raises:
        MtomHeaderError: the value is not ``type/subtype`` followed by well-formed parameters,
            or a parameter appears twice.
    """
    check_header_value("Content-Type", text)
    match = _MEDIA_TYPE.match(text)
    if match is None:
        raise MtomHeaderError(f"Content-Type {text[:80]!r} is not of the form type/subtype")
    essence = f"{match.group(1)}/{match.group(2)}".lower()
    parameters: dict[str, str] = {}
    position = match.end()
    while position < len(text):
        parameter = _PARAMETER.match(text, position)
        if parameter is None:
            rest = _TRAILING_SEMICOLON.fullmatch(text, position)
            if rest is not None:
                break
            raise MtomHeaderError(
                f"Content-Type has a malformed parameter at {text[position:position + 40]!r}"
            )
        name = parameter.group(1).lower()
        value = parameter.group(2)
        if value is None:
            value = re.sub(r"\\(.)", r"\1", parameter.group(3), flags=re.DOTALL)
        if name in parameters:
            raise MtomHeaderError(f"Content-Type parameter {name!r} appears twice")
        parameters[name] = value
        position = parameter.end()
    return MediaType(essence, parameters)


def format_media_type(essence: str, parameters: dict[str, str]) -> str:
    """Build a Content-Type value; every parameter value is quoted."""
    pieces = [essence]
    for name, value in parameters.items():
        check_header_value(name, value)
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        pieces.append(f'{name}="{escaped}"')
    return "; ".join(pieces)


def check_header_value(name: str, value: str) -> None:
    """Refuse a header value that could end the header early (CR, LF, NUL, controls).

    Raises:
        MtomHeaderError: the value holds a control character.
    """
    if _FORBIDDEN_IN_HEADER.search(value):
        raise MtomHeaderError(f"{name} holds a control character (CR/LF injection refused)")
    if not value.isascii():
        raise MtomHeaderError(f"{name} must be ASCII")


def parse_part_headers(block: bytes, *, part_index: int) -> dict[str, str]:
    """Parse the header block of one MIME part (CRLF lines, folded lines joined).

    Header names are lower-cased. A repeated header is refused: two Content-IDs or two
    Content-Types on one part would make the reference ambiguous.

    Raises:
        MtomHeaderError: a line is not ``Name: value``, a header repeats, or bytes are not ASCII.
    """
    try:
        text = block.decode("ascii")
    except UnicodeDecodeError:
        raise MtomHeaderError(f"part {part_index}: header bytes are not ASCII") from None
    headers: dict[str, str] = {}
    last: str | None = None
    for line in text.split("\r\n"):
        if not line:
            continue
        check_header_value(f"part {part_index} header line", line)
        if line[0] in " \t":
            if last is None:
                raise MtomHeaderError(f"part {part_index}: continuation line before any header")
            headers[last] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if not colon or not re.fullmatch(_TOKEN, name):
            raise MtomHeaderError(f"part {part_index}: malformed header line {line[:60]!r}")
        key = name.lower()
        if key in headers:
            raise MtomHeaderError(f"part {part_index}: header {name!r} appears twice")
        headers[key] = value.strip()
        last = key
    return headers


def cid_from_content_id(value: str) -> str:
    """The addr-spec of a Content-ID header: ``<a@b>`` → ``a@b`` (bare values are tolerated)."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    return value


def cid_from_href(href: str) -> str | None:
    """The Content-ID addressed by a ``cid:`` URL, percent-decoded per RFC 2392; else ``None``."""
    if href[:4].lower() != "cid:":
        return None
    return unquote(href[4:])


def href_for_cid(content_id: str) -> str:
    """The ``cid:`` URL for a Content-ID, percent-encoding what RFC 2392 requires."""
    return "cid:" + quote(content_id, safe=_CID_SAFE)
