"""The asyncio DMP client: the same methods as :class:`~dmpkit.client.DmpClient`, awaited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Self, TypeVar

from dmpkit.catalogue import Catalogue, load_catalogue
from dmpkit.client import authorisations, feed, patients, pdq, retrieve, search
from dmpkit.client._core import Call, Plan, Reply, encode_call, read_reply
from dmpkit.client._plans import ClientSettings, Plans, visibility_changes
from dmpkit.client._sync import _service
from dmpkit.client.update import MASQUE_PS
from dmpkit.client.vihf_factory import VihfFactory
from dmpkit.metadata import CodedValue, DocumentEntry
from dmpkit.metadata.ebrim_map import APPROVED, ARCHIVED, DELETED
from dmpkit.query import QueryResult
from dmpkit.transport import AsyncSoapHttpClient, service_url
from dmpkit.vihf import InsIdentifier, PurposeOfUse

__all__ = ["AsyncDmpClient"]

_T = TypeVar("_T")


class AsyncDmpClient:
    """The asyncio twin of :class:`~dmpkit.client.DmpClient` (same arguments and methods).

    Args:
        http: the async SOAP HTTP client.
        vihf: signs one VIHF per call.
        catalogue: the transaction catalogue.
        settings: what the client writes in XDS submissions.
    """

    def __init__(
        self,
        http: AsyncSoapHttpClient,
        vihf: VihfFactory,
        *,
        catalogue: Catalogue | None = None,
        settings: ClientSettings | None = None,
    ) -> None:
        self.http = http
        self.vihf = vihf
        self.catalogue = catalogue or load_catalogue()
        self.settings = settings or ClientSettings()
        self._plans = Plans(self.catalogue, vihf, self.settings)

    async def send(self, call: Call) -> Reply:
        """Send one call and check the answer; see :meth:`DmpClient.send`."""
        transaction = call.transaction
        service = _service(transaction)
        body, content_type = encode_call(
            call, self.vihf, service_url(self.http.config.base_url, service)
        )
        reply = await self.http.post(
            service,
            body,
            content_type,
            action=transaction.request_action or "",
            idempotent=transaction.idempotent,
        )
        return read_reply(call, reply)

    async def run(self, plan: Plan[_T]) -> _T:
        """Drive a plan to its result, awaiting each call it yields."""
        try:
            call = next(plan)
            while True:
                call = plan.send(await self.send(call))
        except StopIteration as done:
            result: _T = done.value
            return result

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def test_existence(
        self,
        patient: InsIdentifier,
        *,
        access_mode: PurposeOfUse | None = None,
    ) -> patients.ExistenceResult:
        """Test whether the patient has a DMP and whether the caller is authorised on it.

        TD0.2: HL7 v3 PRPA_IN201307UV02 (TEST_EXST).

        Args:
            patient: the patient's INS.
            access_mode: the VIHF purposeofuse (default: the client's).

        Raises:
            DmpRejectedError: the DMP refused the query (e.g. unknown structure).
        """
        plan = self._plans.test_existence(patient, access_mode)
        return await self.run(plan)

    async def declare_authorisation(
        self,
        patient: InsIdentifier,
        *,
        access_mode: PurposeOfUse | None = None,
    ) -> authorisations.AuthorisationStatus:
        """Declare oneself authorised on the patient's DMP (idempotent on the DMP).

        TD0.3: DMP habilitations setAuthorization (AJOUT).

        Args:
            patient: the patient's INS (sent in the VIHF resource-id only).
            access_mode: the VIHF purposeofuse.

        Raises:
            DmpStatusError: status other than DMPOk (e.g. refused in bris de glace).
        """
        plan = self._plans.declare_authorisation(patient, access_mode)
        return await self.run(plan)

    async def remove_authorisation(
        self,
        patient: InsIdentifier,
    ) -> authorisations.AuthorisationStatus:
        """Remove one's authorisation on the patient's DMP.

        TD0.3: DMP habilitations setAuthorization (SUPPRESSION).

        Args:
            patient: the patient's INS.

        Raises:
            DmpStatusError: status other than DMPOk.
        """
        plan = self._plans.remove_authorisation(patient)
        return await self.run(plan)

    async def stop_being_medecin_traitant(
        self,
        patient: InsIdentifier,
    ) -> authorisations.AuthorisationStatus:
        """Stop being the patient's médecin traitant DMP.

        TD0.3: DMP habilitations setAuthorization (SUPPRESSION, MEDECIN_TRAITANT).

        Args:
            patient: the patient's INS.

        Raises:
            DmpStatusError: status other than DMPOk (e.g. not médecin traitant).
        """
        plan = self._plans.stop_being_medecin_traitant(patient)
        return await self.run(plan)

    async def list_authorised_patients(
        self,
        since: datetime,
        *,
        date_type: str = "LASTAUTORIZATION",
    ) -> list[authorisations.AuthorisedPatient]:
        """List the DMPs the caller is authorised on (liste des DMP autorisés).

        TD0.4: DMP patientsSpecific patientList.

        Args:
            since: the start date.
            date_type: LASTAUTORIZATION or LASTDOC.

        Raises:
            DmpStatusError: status other than DMPOk.
        """
        plan = self._plans.list_authorised_patients(since, date_type)
        return await self.run(plan)

    async def search_patients(
        self,
        criteria: pdq.PatientSearch,
        *,
        access_mode: PurposeOfUse | None = PurposeOfUse.CENTRE_15,
    ) -> list[pdq.PatientCandidate]:
        """Search patients without INS by traits (régulation mode only).

        TD0.5: IHE PDQv3 ITI-47 PRPA_IN201305UV02.

        Args:
            criteria: the traits.
            access_mode: the VIHF purposeofuse (centre_15 by default).

        Raises:
            DmpRejectedError: the DMP refused the query.
        """
        plan = self._plans.search_patients(criteria, access_mode)
        return await self.run(plan)

    async def create_dmp(
        self,
        record: patients.PatientRecord,
        *,
        consent_date: str | None = None,
        opposition_bris_de_glace: bool = False,
        opposition_acces_urgence: bool = False,
    ) -> patients.Acknowledgement:
        """Create the patient's DMP.

        TD1.1: HL7 v3 PRPA_IN201311UV02 (CREA_RD).

        Args:
            record: the patient's administrative data.
            consent_date: date of the patient's consent, YYYYMMDD (default: today).
            opposition_bris_de_glace: the patient refuses bris de glace access.
            opposition_acces_urgence: the patient refuses access by the centre 15.

        Raises:
            DmpRejectedError: code DMPFound when the DMP already exists.
        """
        plan = self._plans.create_dmp(
            record,
            consent_date=consent_date,
            opposition_bris_de_glace=opposition_bris_de_glace,
            opposition_acces_urgence=opposition_acces_urgence,
        )
        return await self.run(plan)

    async def reactivate_dmp(
        self,
        patient: InsIdentifier,
        *,
        family: str,
        given: str,
    ) -> patients.Acknowledgement:
        """Reactivate a closed DMP.

        TD1.2: HL7 v3 PRPA_IN201314UV02 (REAC).

        Args:
            patient: the patient's INS.
            family: nom de naissance.
            given: prénom.

        Raises:
            DmpRejectedError: code DMPFound when the DMP is already active.
        """
        plan = self._plans.reactivate_dmp(patient, family, given)
        return await self.run(plan)

    async def read_admin_data(
        self,
        patient: InsIdentifier,
    ) -> patients.AdminData:
        """Read the DMP's administrative data.

        TD1.3a: HL7 v3 PRPA_IN201307UV02 (CNSLT_DATA).

        Args:
            patient: the patient's INS.

        Raises:
            DmpRejectedError: no DMP (code NF) or a refusal.
        """
        plan = self._plans.read_admin_data(patient)
        return await self.run(plan)

    async def update_admin_data(
        self,
        record: patients.PatientRecord,
    ) -> patients.Acknowledgement:
        """Modify the DMP's administrative data.

        TD1.3b: HL7 v3 PRPA_IN201314UV02 (MODIF_DATA).

        Args:
            record: the new administrative data.

        Raises:
            DmpRejectedError: the DMP refused the change.
        """
        plan = self._plans.update_admin_data(record)
        return await self.run(plan)

    async def close_dmp(
        self,
        patient: InsIdentifier,
        *,
        family: str,
        given: str,
        reason_code: str = "FERMETURE_DEMANDE_PATIENT",
        reason_text: str = "Fermeture à la demande du patient",
    ) -> patients.Acknowledgement:
        """Close the DMP.

        TD1.4: HL7 v3 PRPA_IN201314UV02 (FERM).

        Args:
            patient: the patient's INS.
            family: nom de naissance.
            given: prénom.
            reason_code: the closure reason (code system 1.2.250.1.213.4.1.2.4).
            reason_text: its text.

        Raises:
            DmpRejectedError: code DMPClosed when the DMP is already closed.
        """
        plan = self._plans.close_dmp(patient, family, given, reason_code, reason_text)
        return await self.run(plan)

    async def list_authorisations(
        self,
        patient: InsIdentifier,
        *,
        mode: str = "TOUTE",
    ) -> list[authorisations.ProfessionalAuthorisation]:
        """List the professionals authorised on (ACTIVE) or blocked from (INTERDITE) the DMP.

        TD1.6: DMP habilitations listAuthorizationByPatient.

        Args:
            patient: the patient's INS.
            mode: ACTIVE, INTERDITE or TOUTE.

        Raises:
            DmpStatusError: status other than DMPOk.
        """
        plan = self._plans.list_authorisations(patient, mode)
        return await self.run(plan)

    async def submit_documents(
        self,
        patient: InsIdentifier,
        documents: Sequence[feed.FeedDocument],
        *,
        content_type_code: CodedValue | None = None,
        check: bool = True,
    ) -> feed.FeedResult:
        """Feed documents (several per call; RPLC replacement; XAdES-signed submission set).

        TD2.1: IHE ITI-41 Provide and Register Document Set-b (MTOM).

        Args:
            patient: the patient's INS.
            documents: the documents and their metadata.
            content_type_code: the submission set contentTypeCode (default: the client's).
            check: validate the metadata against the DMP rules before sending.

        Raises:
            DmpRequestError: the metadata breaks DMP rules (nothing sent).
            DmpRegistryError: the DMP refused the submission.
        """
        plan = self._plans.submit_documents(
            patient, documents, cpe=False, content_type_code=content_type_code, check=check
        )
        return await self.run(plan)

    async def submit_documents_cpe(
        self,
        patient: InsIdentifier,
        documents: Sequence[feed.FeedDocument],
        *,
        content_type_code: CodedValue | None = None,
        check: bool = True,
    ) -> feed.FeedResult:
        """Feed documents as a CPE card holder (imputed to the structure).

        TD2.2: IHE ITI-41 Provide and Register Document Set-b (MTOM), CPE card.

        Args:
            patient: the patient's INS.
            documents: the documents and their metadata.
            content_type_code: the submission set contentTypeCode.
            check: validate the metadata before sending.

        Raises:
            DmpRequestError: the metadata breaks DMP rules.
            DmpRegistryError: the DMP refused the submission.
        """
        plan = self._plans.submit_documents(
            patient, documents, cpe=True, content_type_code=content_type_code, check=check
        )
        return await self.run(plan)

    async def search_documents(
        self,
        patient: InsIdentifier,
        query: str = "FindDocuments",
        *,
        return_type: str = "LeafClass",
        access_mode: PurposeOfUse | None = None,
        **params: object,
    ) -> QueryResult:
        """Send any stored query (FindDocuments, GetDocuments, FindSubmissionSets…).

        TD3.1: IHE ITI-18 Registry Stored Query.

        Args:
            patient: the patient's INS.
            query: the stored query name.
            return_type: LeafClass or ObjectRef.
            access_mode: the VIHF purposeofuse.
            **params: the query parameters by keyword (dmpkit.query).

        Raises:
            DmpRequestError: a parameter is wrong (nothing sent).
            DmpRegistryError: the registry answered an error.
        """
        plan = self._plans.search_documents(patient, query, return_type, access_mode, dict(params))
        return await self.run(plan)

    async def consult(
        self,
        patient: InsIdentifier,
        *,
        since: str | None = None,
        type_codes: Sequence[CodedValue] = (),
        batch_size: int = search.BATCH_SIZE,
        access_mode: PurposeOfUse | None = None,
    ) -> search.Consultation:
        """List the patient's current documents as the ANS recommends (two years, then incremental).

        TD3.1: IHE ITI-18, ANS consultation strategy.

        Args:
            patient: the patient's INS.
            since: the previous Consultation.visited_at (None: first visit).
            type_codes: optional typeCode filter.
            batch_size: documents per query on later visits.
            access_mode: the VIHF purposeofuse.

        Raises:
            DmpRegistryError: the registry answered an error.
        """
        plan = self._plans.consult(patient, since, type_codes, batch_size, access_mode)
        return await self.run(plan)

    async def retrieve_documents(
        self,
        patient: InsIdentifier,
        documents: Sequence[retrieve.DocumentRequest | DocumentEntry | str],
        *,
        access_mode: PurposeOfUse | None = None,
    ) -> list[retrieve.RetrievedDocument]:
        """Retrieve documents (several per call) by uniqueId.

        TD3.2: IHE ITI-43 Retrieve Document Set.

        Args:
            patient: the patient's INS.
            documents: search results, DocumentRequest or uniqueId strings.
            access_mode: the VIHF purposeofuse.

        Raises:
            DmpRequestError: an entryUUID given as uniqueId.
            DmpRegistryError: the repository answered an error.
        """
        plan = self._plans.retrieve_documents(patient, documents, access_mode)
        return await self.run(plan)

    async def update_masking(
        self,
        patient: InsIdentifier,
        entry: DocumentEntry,
        *,
        masked: bool,
    ) -> str:
        """Mask a document to professionals, or unmask it.

        TD3.3a: IHE ITI-57 Update Document Set (MASQUE_PS).

        Args:
            patient: the patient's INS.
            entry: the current version (TD3.1 LeafClass result).
            masked: True to mask, False to unmask.

        Raises:
            DmpRegistryError: the registry refused the update.
        """
        plan = self._plans.change_confidentiality(
            patient, entry, [MASQUE_PS] if masked else [], [] if masked else [MASQUE_PS]
        )
        return await self.run(plan)

    async def update_visibility(
        self,
        patient: InsIdentifier,
        entry: DocumentEntry,
        *,
        hidden_from_patient: bool | None = None,
        hidden_from_legal_representatives: bool | None = None,
    ) -> str:
        """Hide a document from the patient or the legal representatives, or show it again.

        TD3.3b: IHE ITI-57 Update Document Set (INVISIBLE_PATIENT / INVISIBLE_REPRESENTANTS_LEGAUX).

        Args:
            patient: the patient's INS.
            entry: the current version.
            hidden_from_patient: True hides, False shows, None leaves as is.
            hidden_from_legal_representatives: same for the legal representatives.

        Raises:
            DmpRequestError: nothing to change.
            DmpRegistryError: the registry refused the update.
        """
        plan = self._plans.change_confidentiality(
            patient,
            entry,
            *visibility_changes(
                hidden_from_patient=hidden_from_patient,
                hidden_from_legal_representatives=hidden_from_legal_representatives,
            ),
        )
        return await self.run(plan)

    async def delete_document(
        self,
        patient: InsIdentifier,
        entry_uuid: str,
        *,
        original_status: str = APPROVED,
    ) -> str:
        """Delete a document (logical deletion; only its author may).

        TD3.3c: IHE ITI-57 UpdateAvailabilityStatus → Deleted.

        Args:
            patient: the patient's INS.
            entry_uuid: the document's entryUUID.
            original_status: its current status.

        Raises:
            DmpRegistryError: the registry refused (e.g. not the author).
        """
        plan = self._plans.change_status(patient, "TD3.3c", entry_uuid, original_status, DELETED)
        return await self.run(plan)

    async def archive_document(
        self,
        patient: InsIdentifier,
        entry_uuid: str,
        *,
        archived: bool = True,
    ) -> str:
        """Archive a document, or unarchive it (archived=False).

        TD3.3d: IHE ITI-57 UpdateAvailabilityStatus → Archived / Approved.

        Args:
            patient: the patient's INS.
            entry_uuid: the document's entryUUID.
            archived: True archives, False brings it back to Approved.

        Raises:
            DmpRegistryError: the registry refused.
        """
        plan = self._plans.change_status(
            patient,
            "TD3.3d",
            entry_uuid,
            APPROVED if archived else ARCHIVED,
            ARCHIVED if archived else APPROVED,
        )
        return await self.run(plan)
