"""Which CI-SIS schematron applies to which CDA document: the data of ``cda-schematrons.toml``.

The table is data (``specs/dmp/cda-schematrons.toml``, shipped as
``dmpkit/_specs/dmp/cda-schematrons.toml``); this module only reads it and picks rows.
"""

from __future__ import annotations

import importlib.resources
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dmpkit.cda.schematron.errors import SchematronError

__all__ = [
    "SCHEMATRON_ROOT",
    "DocumentType",
    "SchematronTable",
    "load_table",
]

_FILE_NAME = "cda-schematrons.toml"
#: Folder of the spec store the table's paths are relative to.
SCHEMATRON_ROOT = "schematron-cisis/schematrons"


@dataclass(frozen=True, slots=True)
class DocumentType:
    """One CI-SIS document type and its schematrons.

    Attributes:
        template_id: the ``ClinicalDocument/templateId/@root`` the schematrons require.
        name: the document type (TRE_R220/R221 display, else the volet name).
        schematrons: store-relative ``.sch`` paths, newest version first.
        codes: when not empty, the document codes the row is restricted to.
        format_code: the XDS formatCode ASS_A11 gives the template (empty when it depends
            on the media type).
    """

    template_id: str
    name: str
    schematrons: tuple[str, ...]
    codes: frozenset[str]
    format_code: str


@dataclass(frozen=True, slots=True)
class SchematronTable:
    """The header schematron and the document types."""

    header: str
    header_template_id: str
    document_types: tuple[DocumentType, ...]

    def document_type_for(self, template_ids: list[str], code: str | None) -> DocumentType | None:
        """The document type of a document, from its templateIds (last first) and code.

        CI-SIS documents put the document-model template last, after the generic ones.
        """
        for template_id in reversed(template_ids):
            for row in self.document_types:
                if row.template_id == template_id and (not row.codes or code in row.codes):
                    return row
        return None


def _table_path() -> Path:
    packaged = importlib.resources.files("dmpkit").joinpath("_specs", "dmp", _FILE_NAME)
    if packaged.is_file():
        return Path(str(packaged))
    # Source checkout: src/dmpkit/cda/schematron/table.py -> <repo>/specs/dmp/
    checkout = Path(__file__).resolve().parents[4] / "specs" / "dmp" / _FILE_NAME
    if checkout.is_file():
        return checkout
    raise SchematronError(f"{_FILE_NAME} is missing from dmpkit/_specs/dmp and {checkout}")


@cache
def load_table(path: Path | None = None) -> SchematronTable:
    """Read the templateId → schematron table (cached).

    Raises:
        SchematronError: the file is missing or malformed.
    """
    source = path if path is not None else _table_path()
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
        header = data["header"]
        rows = tuple(
            DocumentType(
                template_id=str(row["template_id"]), name=str(row["name"]),
                schematrons=tuple(f"{SCHEMATRON_ROOT}/{s}" for s in row["schematrons"]),
                codes=frozenset(row.get("codes", ())),
                format_code=str(row.get("format_code", "")),
            )
            for row in data["document_type"]
        )
        return SchematronTable(f"{SCHEMATRON_ROOT}/{header['schematron']}",
                               str(header["template_id"]), rows)
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise SchematronError(f"{source} is not a valid schematron table: {exc}") from None
