"""The DMP client: one typed method per DMP transaction, sync (:class:`DmpClient`) and async.

Every method follows the transaction catalogue (``specs/dmp/transactions.toml``): the service,
the WS-Addressing Actions, MTOM, idempotent retries and the VIHF contents come from there. A
method builds its request (one module per transaction family: :mod:`~dmpkit.client.patients`,
:mod:`~dmpkit.client.authorisations`, :mod:`~dmpkit.client.pdq`, :mod:`~dmpkit.client.feed`,
:mod:`~dmpkit.client.search`, :mod:`~dmpkit.client.retrieve`, :mod:`~dmpkit.client.update`),
sends it with a freshly signed VIHF, checks the answer and returns a typed result, or raises a
:class:`DmpError` carrying the DMP's code and text.
"""

from __future__ import annotations

from dmpkit.client._async import AsyncDmpClient
from dmpkit.client._core import Call, Plan, Reply
from dmpkit.client._plans import ClientSettings
from dmpkit.client._sync import DmpClient
from dmpkit.client.authorisations import (
    AuthorisationStatus,
    AuthorisedPatient,
    ProfessionalAuthorisation,
)
from dmpkit.client.errors import (
    DmpError,
    DmpFaultError,
    DmpProtocolError,
    DmpRegistryError,
    DmpRejectedError,
    DmpRequestError,
    DmpStatusError,
    RegistryErrorDetail,
)
from dmpkit.client.feed import FeedDocument, FeedResult
from dmpkit.client.patients import (
    Acknowledgement,
    Address,
    AdminData,
    ExistenceResult,
    PatientRecord,
    VitaleHolder,
)
from dmpkit.client.pdq import PatientCandidate, PatientSearch
from dmpkit.client.retrieve import DocumentRequest, RetrievedDocument
from dmpkit.client.search import Consultation
from dmpkit.client.vihf_factory import VihfFactory

__all__ = [
    "Acknowledgement",
    "Address",
    "AdminData",
    "AsyncDmpClient",
    "AuthorisationStatus",
    "AuthorisedPatient",
    "Call",
    "ClientSettings",
    "Consultation",
    "DmpClient",
    "DmpError",
    "DmpFaultError",
    "DmpProtocolError",
    "DmpRegistryError",
    "DmpRejectedError",
    "DmpRequestError",
    "DmpStatusError",
    "DocumentRequest",
    "ExistenceResult",
    "FeedDocument",
    "FeedResult",
    "PatientCandidate",
    "PatientRecord",
    "PatientSearch",
    "Plan",
    "ProfessionalAuthorisation",
    "RegistryErrorDetail",
    "Reply",
    "RetrievedDocument",
    "VihfFactory",
    "VitaleHolder",
]
