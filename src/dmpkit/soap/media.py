"""The SOAP 1.2 media type and the ``Content-Type`` of a request (SOAP 1.2 Part 2 §7.1.4)."""

from __future__ import annotations

from typing import Final

__all__ = ["SOAP12_MEDIA_TYPE", "content_type"]

SOAP12_MEDIA_TYPE: Final = "application/soap+xml"


def content_type(action: str | None = None) -> str:
    """``application/soap+xml; charset=UTF-8`` with the optional ``action`` parameter.

    Raises:
        ValueError: the action holds a quote or a control character.
    """
    value = f"{SOAP12_MEDIA_TYPE}; charset=UTF-8"
    if action is None:
        return value
    if any(char == '"' or char == "\\" or ord(char) < 0x20 for char in action):
        raise ValueError(f"SOAP action {action!r} cannot be quoted in a Content-Type")
    return f'{value}; action="{action}"'
