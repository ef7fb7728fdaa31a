"""NOS names: one spelling for the several the files use; the public API is what __all__ says."""

from __future__ import annotations

import pytest

import dmpkit.valuesets
from codegen.valuesets.names import canonical_name, module_name, url_key


@pytest.mark.parametrize(("raw", "canonical"), [
    ("JDV_J01_XdsAuthorSpecialty_CISIS.tabs", "JDV_J01-XdsAuthorSpecialty-CISIS"),  # SVS A
    ("JDV_J38_ModeAcces-CISIS", "JDV_J38-ModeAcces-CISIS"),  # FHIR url of J38
    ("TRE_R248_ModeAcces", "TRE_R248-ModeAcces"),
    ("JDV_AuthorSpecialty-CISIS.tabs", "JDV_AuthorSpecialty-CISIS"),  # no JDV number
    ("ASS_X16-CorrespondanceType-Classe-DMP", "ASS_X16-CorrespondanceType-Classe-DMP"),
])
def test_canonical_name(raw: str, canonical: str) -> None:
    assert canonical_name(raw) == canonical


def test_url_key_and_module_name() -> None:
    url = "https://mos.esante.gouv.fr/NOS/TRE_A04-Loinc/FHIR/TRE-A04-Loinc"
    assert url_key(url) == "TRE_A04-Loinc"
    assert url_key("http://loinc.org") == "http://loinc.org"
    assert module_name("JDV_J66-TypeCode-DMP") == "jdv_j66_typecode_dmp"


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in vars(dmpkit.valuesets)
              if (not name.startswith("_") and name[0].isupper()) or name == "registry"}
    assert set(dmpkit.valuesets.__all__) == public
