"""Digests of the documents a submission-set manifest lists.

A CDA (XML) document is digested as the canonical form of its parsed tree: C14N 1.0, or
C14N 1.0 with comments in the variant of older DMP samples. Other documents (PDF…) are
digested as raw bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dmpkit.xmldsig import C14N_10, C14N_10_WITH_COMMENTS, canonicalize
from dmpkit.xmldsig.core import digest
from dmpkit.xmlparse import parse_xml

__all__ = ["SignedDocument", "document_octets", "documents_from"]


@dataclass(frozen=True, slots=True)
class SignedDocument:
    """A document of the submission set: its XDS uniqueId, content and whether it is XML."""

    unique_id: str
    content: bytes
    is_xml: bool

    @property
    def uri(self) -> str:
        """The manifest reference URI."""
        return f"urn:oid:{self.unique_id}"


def documents_from(documents: Sequence[tuple[str, bytes, bool]]) -> list[SignedDocument]:
    """Wrap ``(unique_id, bytes, is_xml)`` triples, refusing duplicated uniqueIds.

    Raises:
        ValueError: two documents share a uniqueId.
    """
    wrapped = [SignedDocument(*document) for document in documents]
    seen: set[str] = set()
    for document in wrapped:
        if document.unique_id in seen:
            raise ValueError(f"uniqueId {document.unique_id} appears twice")
        seen.add(document.unique_id)
    return wrapped


def document_octets(document: SignedDocument, canonicalization: str | None) -> bytes:
    """The octets digested for ``document`` (``canonicalization`` applies to XML only)."""
    if not document.is_xml:
        return document.content
    return canonicalize(parse_xml(document.content), canonicalization or C14N_10)


def document_digest(document: SignedDocument, method: str, with_comments: bool) -> bytes:
    """The digest of ``document`` by ``method``, with or without comments for XML."""
    return digest(document_octets(document, C14N_10_WITH_COMMENTS if with_comments else C14N_10),
                  method)
