"""Fill an empty database from ``specs/dmp/seed.toml`` (REFERENCE §10.6 prepared states)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from dmpkit import testmode
from dmpkit.identifiers.hl7v2 import Cx, Hd, Xcn
from dmpkit.metadata import Author, CodedValue, DocumentEntry, XdsMetadata, encode
from dmpkit.simulator.data import data_path, load_toml
from dmpkit.simulator.records import REPOSITORY_UNIQUE_ID, document_record
from dmpkit.simulator.rules.identity import Directory
from dmpkit.simulator.storage import (
    APPROVED,
    AuthorisationRecord,
    AuthorisationStatus,
    DmpStatus,
    PatientRecord,
    Storage,
)

__all__ = ["SeedData", "SeedPatient", "load_seed", "seed_storage"]

_CLASS_SYSTEM = "1.2.250.1.213.1.1.4.1"
_LOINC = "2.16.840.1.113883.6.1"
_CONFIDENTIALITY_SYSTEMS = {"N": "2.16.840.1.113883.5.25"}
_VISIBILITY_SYSTEM = "1.2.250.1.213.1.1.4.13"


@dataclass(frozen=True, slots=True)
class SeedPatient:
    """One seed patient, as the data file describes him (for tests and notebooks)."""

    ins: str
    ins_oid: str
    state: str
    status: str


@dataclass(frozen=True)
class SeedData:
    """The parsed seed file."""

    raw: dict[str, Any]

    @property
    def patients(self) -> list[SeedPatient]:
        """Every seed patient, absent ones included."""
        default_oid = self.raw["ins_oid"]
        return [SeedPatient(p["ins"], p.get("ins_oid", default_oid), p["state"], p["status"])
                for p in self.raw.get("patient", [])]

    def patient(self, state: str) -> SeedPatient:
        """The seed patient prepared in ``state`` (e.g. ``"closed"``).

        Raises:
            KeyError: no patient in that state.
        """
        for patient in self.patients:
            if patient.state == state:
                return patient
        raise KeyError(f"no seed patient in state {state!r}")

    def directory(self) -> Directory:
        """Card kinds and médecins du travail, for the identity rules."""
        professionals = self.raw.get("professional", [])
        return Directory(
            cards={p["id_nat"]: p.get("card", "CPS") for p in professionals},
            medecins_travail=frozenset(p["id_nat"] for p in professionals
                                       if p.get("medecin_travail")),
        )

    def professional(self, id_nat: str) -> dict[str, Any]:
        """A seed professional by IdNat.

        Raises:
            KeyError: unknown.
        """
        for professional in self.raw.get("professional", []):
            if professional["id_nat"] == id_nat:
                return dict(professional)
        raise KeyError(id_nat)


def load_seed(path: Path | None = None) -> SeedData:
    """Read seed.toml."""
    return SeedData(load_toml(path or data_path("seed.toml")))


def _document(seed: SeedData, patient: dict[str, Any], raw: dict[str, Any], index: int,
              storage: Storage) -> None:
    now = testmode.now()
    created = (now - timedelta(days=int(raw["days_ago"]))).strftime("%Y%m%d%H%M%S")
    oid = patient.get("ins_oid", seed.raw["ins_oid"])
    content = f"{raw['title']}\n\nDocument de test dmpkit ({raw['key']}).\n".encode()
    author_id = raw["author"]
    if author_id == "PATIENT":
        structure = ""
        person = Xcn(id_number=patient["ins"], family_name=patient["family"],
                     given_name=patient["given"])
    else:
        professional = seed.professional(author_id)
        structure = professional["structure"]
        family, _, given = professional["name"].partition(", ")
        person = Xcn(id_number=author_id, family_name=family, given_name=given,
                     assigning_authority=Hd.iso("1.2.250.1.71.4.2.1"), name_type_code="D",
                     identifier_type_code="IDNPS")
    codes = [CodedValue("N", _CONFIDENTIALITY_SYSTEMS["N"], "Normal")]
    codes += [CodedValue(c, _VISIBILITY_SYSTEM, c) for c in raw.get("confidentiality", [])]
    entry_uuid = f"urn:uuid:{testmode.new_uuid()}"
    entry = DocumentEntry(
        entry_uuid=entry_uuid,
        unique_id=f"1.2.250.1.999.1.{patient['ins']}.{index}",
        patient_id=Cx(id_number=patient["ins"], assigning_authority=Hd.iso(oid),
                      identifier_type_code="NH"),
        mime_type="text/plain",
        title=raw["title"],
        authors=[Author(person=person)],
        class_code=CodedValue(raw["class"], _CLASS_SYSTEM),
        type_code=CodedValue(raw["type"], _LOINC),
        format_code=CodedValue("urn:ihe:iti:xds-sd:text:2008", "1.3.6.1.4.1.19376.1.2.3"),
        confidentiality_codes=codes,
        creation_time=created,
        language_code="fr-FR",
        hash=hashlib.sha1(content, usedforsecurity=False).hexdigest(),
        size=len(content),
        repository_unique_id=REPOSITORY_UNIQUE_ID,
    )
    element = encode(XdsMetadata(documents=[entry]))[0]
    record = document_record(entry, element, entry_uuid=entry_uuid, logical_id=entry_uuid,
                             version=1, ins=patient["ins"], status=APPROVED, author=author_id,
                             author_structure=structure, submission_set="", created_at=created)
    storage.add_document(record, content)


def seed_storage(storage: Storage, seed: SeedData | None = None) -> None:
    """Write the seed into an empty database, in one transaction."""
    seed = seed or load_seed()
    now = testmode.now()
    with storage.atomic():
        for index, raw in enumerate(seed.raw.get("patient", [])):
            if raw["status"] == "absent":
                continue
            storage.save_patient(PatientRecord(
                ins=raw["ins"], ins_oid=raw.get("ins_oid", seed.raw["ins_oid"]),
                family=raw["family"], given=raw["given"], birth=raw["birth"], sex=raw["sex"],
                status=DmpStatus(raw["status"]), closure_reason=raw.get("closure_reason"),
                attached_to_mes=bool(raw.get("attached_to_mes")), minor=bool(raw.get("minor")),
                oppositions=tuple(raw.get("oppositions", [])),
                medecin_traitant=raw.get("medecin_traitant"), created_at=now.isoformat()))
            for grant in raw.get("authorisations", []):
                granted = now - timedelta(days=int(grant["granted_days_ago"]))
                storage.save_authorisation(AuthorisationRecord(
                    raw["ins"], grant["professional"], AuthorisationStatus(grant["status"]),
                    granted.isoformat()))
            for number, document in enumerate(raw.get("documents", []), 1):
                _document(seed, raw, document, index * 100 + number, storage)
