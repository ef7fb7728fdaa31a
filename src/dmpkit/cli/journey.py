"""The vendor's journey on the local SI DMP, step by step (what ``dmpkit demo`` prints).

Each step is one or two DMP transactions made with :class:`~dmpkit.client.DmpClient`; it
returns one readable line. The patient is the seed patient without a DMP (DMPKIT-ABSENT Inès),
so the journey starts from nothing: existence test, creation, authorisation, feeding a PDF as
a CDA N1 document, search, retrieve, masking, replacement and deletion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from dmpkit.client import (
    DmpClient,
    FeedDocument,
    FeedResult,
    PatientRecord,
)
from dmpkit.local import n1_document
from dmpkit.metadata import DocumentEntry
from dmpkit.metadata import ebrim_map as m
from dmpkit.vihf import InsIdentifier

__all__ = ["JOURNEY_PATIENT", "Journey", "JourneyStep"]

# Seed patient without a DMP (specs/dmp/seed.toml, state "absent").
JOURNEY_PATIENT = PatientRecord(InsIdentifier("292061305501271"), "DMPKIT-ABSENT", "Inès", "F",
                                "19920613")
_BIRTH = date(1992, 6, 13)


@dataclass(frozen=True)
class JourneyStep:
    """One step: a title naming the transactions, and what to run."""

    title: str
    run: Callable[[], str]


class Journey:
    """The journey's state, shared by its steps."""

    def __init__(self, client: DmpClient, record: PatientRecord = JOURNEY_PATIENT) -> None:
        self.client = client
        self.record = record
        self.patient = record.ins
        self.document_id = ""
        self.replacement_id = ""
        self.pdf = b""

    def _cda(self, document_id: str | None = None, replaces: str | None = None) -> bytes:
        return n1_document(self.patient, birth_name=self.record.birth_family,
                           given=self.record.given, gender=self.record.gender,
                           birth_date=_BIRTH, document_id=document_id, replaces=replaces,
                           title="Compte rendu de consultation")

    def _entry(self, unique_id: str) -> DocumentEntry:
        found = self.client.search_documents(self.patient, "GetDocuments", unique_id=[unique_id])
        return next(d for d in found.metadata.documents if d.availability_status == m.APPROVED)

    def existence_before(self) -> str:
        result = self.client.test_existence(self.patient)
        return "a DMP exists already" if result.exists else "no DMP for this patient yet"

    def creation(self) -> str:
        ack = self.client.create_dmp(self.record)
        return f"DMP created ({ack.interaction} accepted)"

    def authorisation(self) -> str:
        status = self.client.declare_authorisation(self.patient)
        data = self.client.test_existence(self.patient).data
        state = data.authorisation if data else "?"
        context = f" ({status.context})" if status.context else ""
        return f"{status.status}{context}; authorisation now {state}"

    def feed(self) -> str:
        document = FeedDocument.from_cda(self._cda())
        result: FeedResult = self.client.submit_documents(self.patient, [document])
        self.document_id = result.document_unique_ids[0]
        self.pdf = document.content
        return (f"1 CDA N1 document wrapping a PDF ({len(document.content)} bytes of CDA) in "
                f"a XAdES-signed submission set, uniqueId {self.document_id}")

    def search(self) -> str:
        consultation = self.client.consult(self.patient)
        titles = ", ".join(d.title or "?" for d in consultation.documents)
        return f"{len(consultation.documents)} document(s): {titles}"

    def retrieve(self) -> str:
        (document,) = self.client.retrieve_documents(self.patient, [self._entry(
            self.document_id)])
        same = "identical to what was sent" if document.content == self.pdf else "DIFFERENT"
        return f"{document.mime_type}, {len(document.content)} bytes, {same}"

    def masking(self) -> str:
        self.client.update_masking(self.patient, self._entry(self.document_id), masked=True)
        entry = self._entry(self.document_id)
        codes = ", ".join(c.code for c in entry.confidentiality_codes)
        return f"version {entry.version}, confidentialityCode {codes}"

    def replacement(self) -> str:
        old = self._entry(self.document_id)
        cda = self._cda(replaces=self.document_id)
        result = self.client.submit_documents(
            self.patient, [FeedDocument.from_cda(cda, replaces=old.entry_uuid)])
        self.replacement_id = result.document_unique_ids[0]
        listed = [d.unique_id for d in self.client.consult(self.patient).documents]
        return (f"new version {self.replacement_id} (RPLC); the DMP lists "
                f"{len(listed)} current document(s), the replaced one "
                f"{'still listed' if self.document_id in listed else 'deprecated'}")

    def deletion(self) -> str:
        entry = self._entry(self.replacement_id)
        self.client.delete_document(self.patient, entry.entry_uuid)
        left = self.client.consult(self.patient).documents
        return f"deleted; {len(left)} current document(s) left"

    def steps(self) -> list[JourneyStep]:
        """The steps, in order."""
        return [
            JourneyStep("existence test (TD0.2)", self.existence_before),
            JourneyStep("creation (TD1.1)", self.creation),
            JourneyStep("authorisation (TD0.3, TD0.2)", self.authorisation),
            JourneyStep("feeding (TD2.1, ITI-41 MTOM)", self.feed),
            JourneyStep("search (TD3.1, ITI-18)", self.search),
            JourneyStep("retrieve (TD3.2, ITI-43)", self.retrieve),
            JourneyStep("masking (TD3.3a, ITI-57)", self.masking),
            JourneyStep("replacement (TD2.1 + RPLC)", self.replacement),
            JourneyStep("deletion (TD3.3c, ITI-57)", self.deletion),
        ]
