"""One signed VIHF per call, from the professional's claims and what the transaction needs."""

from __future__ import annotations

import dataclasses

from lxml import etree

from dmpkit.catalogue import Transaction
from dmpkit.client.errors import DmpRequestError
from dmpkit.vihf import InsIdentifier, PurposeOfUse, VihfClaims, VihfSigner

__all__ = ["VihfFactory"]


class VihfFactory:
    """Signs a fresh VIHF for each call.

    The base claims describe the professional and the software; each call sets the patient
    (``resource-id``, only for patient-scoped transactions as the catalogue says) and the
    access mode.

    Args:
        signer: the ORG SIGN key and certificate.
        claims: the professional's claims (``resource_id`` is replaced per call).
    """

    def __init__(self, signer: VihfSigner, claims: VihfClaims | None = None) -> None:
        self.signer = signer
        self.claims = claims or VihfClaims()

    def claims_for(
        self,
        transaction: Transaction,
        patient: InsIdentifier | None,
        access_mode: PurposeOfUse | None = None,
    ) -> VihfClaims:
        """The claims of one call.

        Raises:
            DmpRequestError: a patient-scoped transaction without a patient.
        """
        if transaction.patient_scoped and patient is None:
            raise DmpRequestError(
                transaction.id,
                f"{transaction.name} is about one patient: give the patient's INS "
                "(it goes in the VIHF resource-id)",
            )
        return dataclasses.replace(
            self.claims,
            resource_id=patient if transaction.patient_scoped else None,
            purpose_of_use=access_mode or self.claims.purpose_of_use,
        )

    def assertion(
        self,
        transaction: Transaction,
        patient: InsIdentifier | None,
        access_mode: PurposeOfUse | None = None,
    ) -> etree._Element:
        """The signed ``saml:Assertion`` for one call."""
        return self.signer.sign(self.claims_for(transaction, patient, access_mode))
