"""dmpkit: a typed, offline workbench for the French DMP web services.

The public nouns are available at the top (``dmpkit.DmpClient``, ``dmpkit.VihfClaims``,
``dmpkit.DocumentEntry``…) and imported on first use, so ``import dmpkit`` stays cheap and
never loads the large HL7 v3 or CDA bindings. The machinery lives in the subpackages.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it (imported lazily by __getattr__)
_PUBLIC: dict[str, str] = {
    "AsyncDmpClient": "dmpkit.client",
    "DmpClient": "dmpkit.client",
    "DmpError": "dmpkit.client",
    "DmpkitError": "dmpkit.errors",
    "DocumentEntry": "dmpkit.metadata",
    "Finding": "dmpkit.findings",
    "Ins": "dmpkit.identifiers",
    "LocalDmp": "dmpkit.local",
    "SubmissionSet": "dmpkit.metadata",
    "VihfClaims": "dmpkit.vihf",
    "VihfSigner": "dmpkit.vihf",
    "VihfVerifier": "dmpkit.vihf",
    "XdsMetadata": "dmpkit.metadata",
    "parse_xml": "dmpkit.xmlparse",
}

__all__ = [
    "AsyncDmpClient",
    "DmpClient",
    "DmpError",
    "DmpkitError",
    "DocumentEntry",
    "Finding",
    "Ins",
    "LocalDmp",
    "SubmissionSet",
    "VihfClaims",
    "VihfSigner",
    "VihfVerifier",
    "XdsMetadata",
    "__version__",
    "parse_xml",
]

if TYPE_CHECKING:
    from dmpkit.client import AsyncDmpClient, DmpClient, DmpError
    from dmpkit.errors import DmpkitError
    from dmpkit.findings import Finding
    from dmpkit.identifiers import Ins
    from dmpkit.local import LocalDmp
    from dmpkit.metadata import DocumentEntry, SubmissionSet, XdsMetadata
    from dmpkit.vihf import VihfClaims, VihfSigner, VihfVerifier
    from dmpkit.xmlparse import parse_xml


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'dmpkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
