"""Typed failures of the code generator, each mapped to a process exit code by the CLI."""

from __future__ import annotations

EXIT_OK = 0
EXIT_MISMATCH = 1
EXIT_USAGE = 2


class CodegenError(Exception):
    """Root of every expected codegen failure; the CLI prints it on one line."""

    exit_code = EXIT_MISMATCH


class UsageError(CodegenError):
    """The command was called with arguments that cannot work (missing folder, bad file)."""

    exit_code = EXIT_USAGE


class ManifestError(CodegenError):
    """``specs/manifest.toml`` (or its file list) is absent or malformed."""


class ChecksumMismatchError(CodegenError):
    """A spec file's bytes (or parsed content) differ from what the manifest pins."""


class SpecFileMissingError(CodegenError):
    """A file the manifest lists is neither in the store nor in any source."""


class DownloadError(CodegenError):
    """An upstream file could not be downloaded."""


class GeneratorMissingError(CodegenError):
    """A generator module (``codegen.xsd``, ``codegen.valuesets``) is not available."""


class DriftError(CodegenError):
    """The committed generated code differs from what the generators produce."""
