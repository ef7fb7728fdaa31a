"""Typed errors of the schematron pipeline, each naming the file or construct at fault."""

from __future__ import annotations

from dmpkit.errors import DmpkitError

__all__ = [
    "SchematronError",
    "SchematronIncludeError",
    "SchematronRunError",
    "SchematronSecurityError",
    "SchematronSyntaxError",
]


class SchematronError(DmpkitError):
    """A schematron could not be compiled or run."""


class SchematronSyntaxError(SchematronError):
    """The schematron uses a construct the compiler does not understand (named in the message)."""


class SchematronIncludeError(SchematronError):
    """An ``sch:include`` names a file that is absent from the spec store (an upstream defect)."""

    def __init__(self, message: str, missing: str) -> None:
        super().__init__(message)
        self.missing = missing


class SchematronSecurityError(SchematronError):
    """The schematron would read something outside the spec store, or call a refused function."""


class SchematronRunError(SchematronError):
    """Saxon stopped while running the compiled schematron (e.g. a value-set file is missing)."""
