"""Typed failures of the value-set generator."""

from __future__ import annotations

from codegen.errors import CodegenError


class ValueSetSourceError(CodegenError):
    """A NOS file, or a project data file about value sets, cannot be used as is."""
