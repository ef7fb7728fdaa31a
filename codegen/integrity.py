"""How a spec file is checked against its manifest record: sha256 of the bytes, or, for
files transcribed from upstream text, sha256 of their parsed canonical content."""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath

from lxml import etree

from codegen.errors import CodegenError
from codegen.xmlsafe import parse_bytes


def sha256_hex(data: bytes) -> str:
    """The lowercase hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def canonical_content(data: bytes, name: str) -> bytes:
    """The parsed content of a JSON or XML file in a canonical byte form.

    JSON: re-serialised with sorted keys and fixed separators. XML: Canonical XML 1.0
    without comments, so formatting and quoting differences of a transcription vanish.

    Raises:
        CodegenError: the file is neither parseable JSON nor XML.
    """
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".json":
        try:
            parsed = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CodegenError(f"{name}: not valid JSON ({exc})") from None
        return json.dumps(parsed, sort_keys=True, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
    root = parse_bytes(data, name)
    return bytes(etree.tostring(root, method="c14n", with_comments=False))


def content_sha256(data: bytes, name: str) -> str:
    """sha256 of :func:`canonical_content`."""
    return sha256_hex(canonical_content(data, name))
