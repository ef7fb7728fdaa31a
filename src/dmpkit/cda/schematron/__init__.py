"""ISO Schematron → XSLT 2.0, run with Saxon: the CI-SIS schematrons, upstream files untouched.

``expand`` reads a ``.sch`` with its includes, abstract patterns and rules and its default
phase; ``xslt`` writes the stylesheet (and refuses any read outside the spec store);
``runner`` caches it on disk by sha256, compiles it once per process and runs it; ``table``
says which schematron applies to which document template (``specs/dmp/cda-schematrons.toml``).
"""

from __future__ import annotations

from dmpkit.cda.schematron.errors import (
    SchematronError,
    SchematronIncludeError,
    SchematronRunError,
    SchematronSecurityError,
    SchematronSyntaxError,
)
from dmpkit.cda.schematron.runner import (
    CompiledSchematron,
    SchematronHit,
    compile_schematron,
    run_schematron,
    schematron_cache_dir,
)
from dmpkit.cda.schematron.table import DocumentType, SchematronTable, load_table

__all__ = [
    "CompiledSchematron",
    "DocumentType",
    "SchematronError",
    "SchematronHit",
    "SchematronIncludeError",
    "SchematronRunError",
    "SchematronSecurityError",
    "SchematronSyntaxError",
    "SchematronTable",
    "compile_schematron",
    "load_table",
    "run_schematron",
    "schematron_cache_dir",
]
