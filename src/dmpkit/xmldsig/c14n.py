"""Canonical XML (1.0 and exclusive, with or without comments) of an lxml subtree."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from dmpkit.xmldsig.algorithms import (
    C14N_10,
    C14N_10_WITH_COMMENTS,
    C14N_EXCLUSIVE,
    C14N_EXCLUSIVE_WITH_COMMENTS,
)

__all__ = ["canonicalize"]

_MODES = {
    C14N_10: (False, False),
    C14N_10_WITH_COMMENTS: (False, True),
    C14N_EXCLUSIVE: (True, False),
    C14N_EXCLUSIVE_WITH_COMMENTS: (True, True),
}


def canonicalize(
    element: etree._Element, algorithm: str, inclusive_prefixes: Sequence[str] = ()
) -> bytes:
    """Canonicalize ``element`` (a document subset: in-scope namespaces count) by ``algorithm``.

    ``#default`` in ``inclusive_prefixes`` is ignored: libxml2 has no way to express it, and a
    DMP assertion never inherits a default namespace it does not use itself.

    Raises:
        ValueError: the algorithm is not a canonicalization URI.
    """
    mode = _MODES.get(algorithm)
    if mode is None:
        raise ValueError(f"unsupported canonicalization {algorithm!r}")
    exclusive, with_comments = mode
    prefixes = [prefix for prefix in inclusive_prefixes if prefix != "#default"]
    return etree.tostring(
        element,
        method="c14n",
        exclusive=exclusive,
        with_comments=with_comments,
        inclusive_ns_prefixes=prefixes if exclusive and prefixes else None,
    )
