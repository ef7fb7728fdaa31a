"""Text matching for value sets: accent- and case-insensitive search, nearest codes."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence

# Below this similarity a code is no useful suggestion.
NEAREST_CUTOFF = 0.4


def fold(text: str) -> str:
    """``text`` without accents, case-folded: ``"Médecine Générale"`` → ``"medecine generale"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def matches_all_words(query_words: Sequence[str], haystack: str) -> bool:
    """Whether every folded query word occurs in the folded ``haystack``."""
    return all(word in haystack for word in query_words)


def nearest_strings(probe: str, candidates: Sequence[str], n: int) -> list[str]:
    """The ``n`` candidates most similar to ``probe`` (folded comparison, best first)."""
    folded: dict[str, str] = {}
    for candidate in candidates:
        folded.setdefault(fold(candidate), candidate)
    close = difflib.get_close_matches(fold(probe), list(folded), n=n, cutoff=NEAREST_CUTOFF)
    return [folded[match] for match in close]
