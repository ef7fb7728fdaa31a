"""Typed failures of the value-set registry, each naming what was asked and what exists."""

from __future__ import annotations

from collections.abc import Sequence

from dmpkit.errors import DmpkitError


class ValueSetError(DmpkitError):
    """Root of the value-set errors."""


class ValueSetsNotGeneratedError(ValueSetError):
    """The generated value-set modules (``dmpkit_bindings.valuesets``) are absent."""


class UnknownValueSetError(ValueSetError, LookupError):
    """No value set (or association table) has this name, short name or OID.

    Attributes:
        query: what was asked.
        suggestions: NOS names close to it (may be empty).
    """

    def __init__(self, query: str, suggestions: Sequence[str] = (), reason: str = "") -> None:
        self.query = query
        self.suggestions = tuple(suggestions)
        message = reason or f"no national value set named {query!r} (by name, short name or OID)"
        if self.suggestions:
            message += "; did you mean: " + ", ".join(self.suggestions)
        super().__init__(message)


class UnknownCodeError(ValueSetError, LookupError):
    """A code (optionally with its code system) is not in a value set.

    Attributes:
        code: the code asked for.
        system: the code-system OID asked for, or None.
        value_set: the NOS name of the set.
        suggestions: the nearest codes of the set.
    """

    def __init__(self, code: str, system: str | None, value_set: str,
                 suggestions: Sequence[str] = ()) -> None:
        self.code = code
        self.system = system
        self.value_set = value_set
        self.suggestions = tuple(suggestions)
        where = f" with code system {system}" if system else ""
        message = f"code {code!r}{where} is not in {value_set}"
        if self.suggestions:
            message += "; nearest codes: " + ", ".join(self.suggestions)
        super().__init__(message)


class UnknownMetadataItemError(ValueSetError, LookupError):
    """No value-set binding is recorded for this metadata item.

    Attributes:
        item: the item asked for.
        known: every item that has a binding.
    """

    def __init__(self, item: str, known: Sequence[str], kind: str = "binding") -> None:
        self.item = item
        self.known = tuple(known)
        super().__init__(
            f"no value-set {kind} for metadata item {item!r}; known items: {', '.join(self.known)}"
        )
