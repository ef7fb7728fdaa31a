"""A minimal TOML writer for the manifest (stdlib ``tomllib`` only reads).

It knows the few shapes the manifest uses: strings, integers, booleans, lists of
strings and inline tables of those; the caller lays out tables and comments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

TomlScalar = str | int | bool
TomlValue = TomlScalar | Sequence[str] | Mapping[str, TomlScalar]

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b",
            "\f": "\\f"}


def string(text: str) -> str:
    """A TOML basic string literal."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def key(name: str) -> str:
    """A TOML key: bare when it can be, quoted otherwise."""
    if name and all(c.isascii() and (c.isalnum() or c in "-_") for c in name):
        return name
    return string(name)


def value(item: TomlValue) -> str:
    """A TOML value literal (inline tables keep the caller's key order)."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, str):
        return string(item)
    if isinstance(item, Mapping):
        inner = ", ".join(f"{key(k)} = {value(v)}" for k, v in item.items())
        return "{ " + inner + " }"
    return "[" + ", ".join(string(entry) for entry in item) + "]"


def assignment(name: str, item: TomlValue) -> str:
    """One ``key = value`` line."""
    return f"{key(name)} = {value(item)}"
