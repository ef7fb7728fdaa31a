"""The values the MTOM codec exchanges: parts, built messages, decoded messages, limits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ["MtomLimits", "MtomMessage", "MtomPart", "payload_size"]


@dataclass(frozen=True, slots=True)
class MtomPart:
    """One MIME part: its Content-ID (addr-spec, without ``<>`` or ``cid:``), type and bytes.

    ``data`` may be a ``memoryview`` so that a decoded part is a window on the received body
    rather than a copy of it.
    """

    content_id: str
    content_type: str
    data: bytes | memoryview

    @property
    def size(self) -> int:
        """The payload length in bytes."""
        return self.data.nbytes if isinstance(self.data, memoryview) else len(self.data)

    def tobytes(self) -> bytes:
        """The payload as ``bytes`` (a copy only when ``data`` is a memoryview)."""
        return self.data.tobytes() if isinstance(self.data, memoryview) else self.data


def payload_size(parts: Sequence[MtomPart]) -> int:
    """The summed payload length of some parts."""
    return sum(part.size for part in parts)


@dataclass(frozen=True, slots=True)
class MtomLimits:
    """Bounds the decoder enforces before trusting a multipart body.

    Attributes:
        max_parts: most parts accepted, root included.
        max_part_bytes: largest accepted part.
        max_body_bytes: largest accepted body.
        max_header_bytes: largest accepted header block of one part.
    """

    max_parts: int = 1_000
    max_part_bytes: int = 256 * 1024 * 1024
    max_body_bytes: int = 1024 * 1024 * 1024
    max_header_bytes: int = 16 * 1024

    def __post_init__(self) -> None:
        if min(self.max_parts, self.max_part_bytes, self.max_body_bytes, self.max_header_bytes) < 1:
            raise ValueError("MTOM limits must be positive")


class MtomMessage:
    """A built multipart/related message.

    The body is kept as a sequence of chunks that point at the caller's payloads (no copy);
    :attr:`body` joins them, which copies each payload exactly once.

    Attributes:
        content_type: the HTTP ``Content-Type`` value (multipart/related with its parameters).
        boundary: the MIME boundary used.
        root_content_id: the Content-ID of the root (SOAP) part.
    """

    __slots__ = ("_chunks", "boundary", "content_type", "root_content_id")

    def __init__(
        self,
        content_type: str,
        chunks: Sequence[bytes | memoryview],
        boundary: str,
        root_content_id: str,
    ) -> None:
        self.content_type = content_type
        self._chunks = tuple(chunks)
        self.boundary = boundary
        self.root_content_id = root_content_id

    def __len__(self) -> int:
        return sum(
            chunk.nbytes if isinstance(chunk, memoryview) else len(chunk) for chunk in self._chunks
        )

    def iter_chunks(self) -> Iterator[bytes | memoryview]:
        """The body as chunks, without copying payloads (for streaming uploads)."""
        return iter(self._chunks)

    @property
    def body(self) -> bytes:
        """The whole body as one ``bytes`` object (one copy of every payload)."""
        return b"".join(self._chunks)

    def __repr__(self) -> str:
        return f"MtomMessage({len(self)} bytes, {self.content_type!r})"
