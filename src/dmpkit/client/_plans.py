"""The plan of every client method, bound to one client's settings (shared by sync and async)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from dmpkit.catalogue import Catalogue
from dmpkit.cda.validation import ALL_LAYERS
from dmpkit.client import authorisations, feed, patients, pdq, retrieve, search, update
from dmpkit.client._core import Plan
from dmpkit.client.retrieve import DMP_REPOSITORY_ID
from dmpkit.client.vihf_factory import VihfFactory
from dmpkit.metadata import CodedValue, DocumentEntry
from dmpkit.query import QueryResult
from dmpkit.vihf import InsIdentifier, PurposeOfUse

__all__ = ["ClientSettings", "Plans"]


def _default_content_type() -> CodedValue:
    # REFERENCE §3.1: JDV_J59 example "04" (code system 1.2.250.1.213.2.2).
    return CodedValue("04", "1.2.250.1.213.2.2", "Hospitalisation de jour")


@dataclass(frozen=True)
class ClientSettings:
    """What the client puts in the XDS submissions it builds.

    Attributes:
        source_id: the OID of the emitting software installation (submission set sourceId).
        content_type_code: the submission set contentTypeCode (JDV_J59) when none is given.
        structure_name: the structure's name, in authorInstitution.
        cda_layers: the CDA validation layers run before a feed (all by default; the
            schematron layers cost a few seconds once per process to compile).
        repository_unique_id: the repository asked for a document given by uniqueId only
            (the DMP's observed id by default, REFERENCE §3.2).
    """

    source_id: str = "1.2.250.1.213.4.1.9.999"
    content_type_code: CodedValue = field(default_factory=_default_content_type)
    structure_name: str = ""
    cda_layers: tuple[str, ...] = ALL_LAYERS
    repository_unique_id: str = DMP_REPOSITORY_ID


class Plans:
    """Builds the plan of each transaction; :class:`DmpClient` and :class:`AsyncDmpClient`
    drive them."""

    def __init__(self, catalogue: Catalogue, vihf: VihfFactory, settings: ClientSettings
                 ) -> None:
        self.catalogue = catalogue
        self.vihf = vihf
        self.settings = settings

    # TD0.x -------------------------------------------------------------------------------
    def test_existence(self, patient: InsIdentifier, access_mode: PurposeOfUse | None
                       ) -> Plan[patients.ExistenceResult]:
        return patients.test_existence(self.catalogue, self.vihf.claims, patient, access_mode)

    def declare_authorisation(self, patient: InsIdentifier, access_mode: PurposeOfUse | None
                              ) -> Plan[authorisations.AuthorisationStatus]:
        return authorisations.declare_authorisation(self.catalogue, patient, access_mode)

    def remove_authorisation(self, patient: InsIdentifier
                             ) -> Plan[authorisations.AuthorisationStatus]:
        return authorisations.remove_authorisation(self.catalogue, patient)

    def stop_being_medecin_traitant(self, patient: InsIdentifier
                                    ) -> Plan[authorisations.AuthorisationStatus]:
        return authorisations.stop_being_medecin_traitant(self.catalogue, patient)

    def list_authorised_patients(self, since: datetime, date_type: str
                                 ) -> Plan[list[authorisations.AuthorisedPatient]]:
        return authorisations.list_authorised_patients(self.catalogue, since, date_type)

    def search_patients(self, criteria: pdq.PatientSearch, access_mode: PurposeOfUse | None
                        ) -> Plan[list[pdq.PatientCandidate]]:
        return pdq.search_patients(self.catalogue, self.vihf.claims, criteria, access_mode)

    # TD1.x -------------------------------------------------------------------------------
    def create_dmp(self, record: patients.PatientRecord, *, consent_date: str | None,
                   opposition_bris_de_glace: bool, opposition_acces_urgence: bool
                   ) -> Plan[patients.Acknowledgement]:
        return patients.create_dmp(
            self.catalogue, self.vihf.claims, record, consent_date=consent_date,
            opposition_bris_de_glace=opposition_bris_de_glace,
            opposition_acces_urgence=opposition_acces_urgence)

    def reactivate_dmp(self, patient: InsIdentifier, family: str, given: str
                       ) -> Plan[patients.Acknowledgement]:
        return patients.reactivate_dmp(self.catalogue, self.vihf.claims, patient, family, given)

    def read_admin_data(self, patient: InsIdentifier) -> Plan[patients.AdminData]:
        return patients.read_admin_data(self.catalogue, self.vihf.claims, patient)

    def update_admin_data(self, record: patients.PatientRecord
                          ) -> Plan[patients.Acknowledgement]:
        return patients.update_admin_data(self.catalogue, self.vihf.claims, record)

    def close_dmp(self, patient: InsIdentifier, family: str, given: str, reason_code: str,
                  reason_text: str) -> Plan[patients.Acknowledgement]:
        return patients.close_dmp(self.catalogue, self.vihf.claims, patient, family, given,
                                  reason_code=reason_code, reason_text=reason_text)

    def list_authorisations(self, patient: InsIdentifier, mode: str
                            ) -> Plan[list[authorisations.ProfessionalAuthorisation]]:
        return authorisations.list_authorisations(self.catalogue, patient, mode)

    # TD2.x -------------------------------------------------------------------------------
    def submit_documents(self, patient: InsIdentifier, documents: Sequence[feed.FeedDocument],
                         *, cpe: bool, content_type_code: CodedValue | None, check: bool
                         ) -> Plan[feed.FeedResult]:
        return feed.submit_documents(
            self.catalogue, documents, patient=patient, claims=self.vihf.claims,
            signer=self.vihf.signer,
            content_type_code=content_type_code or self.settings.content_type_code,
            source_id=self.settings.source_id, cpe=cpe, check=check,
            cda_layers=self.settings.cda_layers)

    # TD3.x -------------------------------------------------------------------------------
    def search_documents(self, patient: InsIdentifier, query: str, return_type: str,
                         access_mode: PurposeOfUse | None, params: dict[str, object]
                         ) -> Plan[QueryResult]:
        return search.search_documents(self.catalogue, patient, query, return_type=return_type,
                                       access_mode=access_mode, **params)

    def consult(self, patient: InsIdentifier, since: str | None,
                type_codes: Sequence[CodedValue], batch_size: int,
                access_mode: PurposeOfUse | None) -> Plan[search.Consultation]:
        return search.consult(self.catalogue, patient, since=since, type_codes=type_codes,
                              batch_size=batch_size, access_mode=access_mode)

    def retrieve_documents(self, patient: InsIdentifier,
                           requests: Sequence[retrieve.DocumentRequest | DocumentEntry | str],
                           access_mode: PurposeOfUse | None
                           ) -> Plan[list[retrieve.RetrievedDocument]]:
        wanted = [retrieve.DocumentRequest.of(r, self.settings.repository_unique_id)
                  for r in requests]
        return retrieve.retrieve_documents(self.catalogue, patient, wanted, access_mode)

    def change_confidentiality(self, patient: InsIdentifier, entry: DocumentEntry,
                               add: Sequence[str], remove: Sequence[str]) -> Plan[str]:
        return update.change_confidentiality(
            self.catalogue, entry, add=add, remove=remove, patient=patient,
            claims=self.vihf.claims, source_id=self.settings.source_id,
            content_type_code=self.settings.content_type_code)

    def change_status(self, patient: InsIdentifier, transaction_id: str, entry_uuid: str,
                      original: str, new: str) -> Plan[str]:
        return update.change_status(
            self.catalogue, transaction_id, entry_uuid, original=original, new=new,
            patient=patient, claims=self.vihf.claims, source_id=self.settings.source_id,
            content_type_code=self.settings.content_type_code)


def visibility_changes(*, hidden_from_patient: bool | None,
                       hidden_from_legal_representatives: bool | None
                       ) -> tuple[list[str], list[str]]:
    """The TRE_A07 codes to add and remove for a TD3.3b request."""
    add: list[str] = []
    remove: list[str] = []
    for flag, code in ((hidden_from_patient, update.INVISIBLE_PATIENT),
                       (hidden_from_legal_representatives, update.INVISIBLE_REPRESENTANTS_LEGAUX)):
        if flag is True:
            add.append(code)
        elif flag is False:
            remove.append(code)
    return add, remove

