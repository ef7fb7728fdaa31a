"""TD3.2: retrieve documents, IHE ITI-43 Retrieve Document Set (MTOM answer).

The DocumentUniqueId is the document's uniqueId (an OID), never its entryUUID: the DMP answers
``XDSDocumentUniqueIdError`` to that mistake (REFERENCE §10.2), so the client refuses it first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from dmpkit.catalogue import Catalogue
from dmpkit.client._core import Call, Plan, Reply, single
from dmpkit.client.errors import DmpRegistryError, DmpRequestError, RegistryErrorDetail
from dmpkit.metadata import DocumentEntry
from dmpkit.vihf import InsIdentifier, PurposeOfUse

__all__ = ["DMP_REPOSITORY_ID", "DocumentRequest", "RetrievedDocument", "decode_retrieve",
           "retrieve_documents", "retrieve_message"]

XDSB = "urn:ihe:iti:xds-b:2007"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
_SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
# Observed DMP repository id (REFERENCE §3.2, [X]).
DMP_REPOSITORY_ID = "1.2.250.1.213.4.1.1.1.2"


@dataclass(frozen=True, slots=True)
class DocumentRequest:
    """One document to retrieve: its uniqueId and repository (from a TD3.1 result)."""

    unique_id: str
    repository_unique_id: str = DMP_REPOSITORY_ID
    home_community_id: str | None = None

    @classmethod
    def of(cls, document: DocumentRequest | DocumentEntry | str,
           repository: str = DMP_REPOSITORY_ID) -> DocumentRequest:
        """The request for a search result entry, a uniqueId string, or itself.

        Args:
            document: what to retrieve.
            repository: the repository when the entry does not name one.
        """
        if isinstance(document, DocumentRequest):
            return document
        if isinstance(document, str):
            return cls(document, repository)
        return cls(document.unique_id or "", document.repository_unique_id or repository,
                   document.home_community_id)


@dataclass(frozen=True, slots=True)
class RetrievedDocument:
    """One document received."""

    unique_id: str
    repository_unique_id: str
    mime_type: str
    content: bytes


def retrieve_message(requests: Sequence[DocumentRequest]) -> etree._Element:
    """The ``xdsb:RetrieveDocumentSetRequest``.

    Raises:
        DmpRequestError: no document, or an entryUUID given as uniqueId.
    """
    if not requests:
        raise DmpRequestError("TD3.2", "give at least one document to retrieve")
    root = etree.Element(f"{{{XDSB}}}RetrieveDocumentSetRequest", nsmap={"xdsb": XDSB})
    for request in requests:
        if request.unique_id.startswith("urn:uuid:"):
            raise DmpRequestError(
                "TD3.2", f"{request.unique_id} is an entryUUID: DocumentUniqueId takes the "
                "document's uniqueId (the DMP would answer XDSDocumentUniqueIdError)")
        element = etree.SubElement(root, f"{{{XDSB}}}DocumentRequest")
        if request.home_community_id:
            etree.SubElement(element, f"{{{XDSB}}}HomeCommunityId").text = \
                request.home_community_id
        etree.SubElement(element, f"{{{XDSB}}}RepositoryUniqueId").text = \
            request.repository_unique_id
        etree.SubElement(element, f"{{{XDSB}}}DocumentUniqueId").text = request.unique_id
    return root


def decode_retrieve(reply: Reply) -> list[RetrievedDocument]:
    """The documents of a RetrieveDocumentSetResponse.

    Raises:
        DmpRegistryError: the status is not Success (PartialSuccess included), with the errors.
    """
    response = reply.payload.find(f"{{{RS}}}RegistryResponse")
    status = "" if response is None else response.get("status", "")
    if status != _SUCCESS:
        errors = [RegistryErrorDetail(e.get("errorCode", ""), e.get("codeContext", ""),
                                      e.get("location", ""), e.get("severity", ""))
                  for e in reply.payload.iter(f"{{{RS}}}RegistryError")]
        raise DmpRegistryError(reply.transaction.id, status, errors)
    documents = []
    for item in reply.payload.iterfind(f"{{{XDSB}}}DocumentResponse"):
        content = item.find(f"{{{XDSB}}}Document")
        documents.append(RetrievedDocument(
            unique_id=item.findtext(f"{{{XDSB}}}DocumentUniqueId") or "",
            repository_unique_id=item.findtext(f"{{{XDSB}}}RepositoryUniqueId") or "",
            mime_type=item.findtext(f"{{{XDSB}}}mimeType") or "",
            content=b"" if content is None else reply.binary(content),
        ))
    return documents


def retrieve_documents(catalogue: Catalogue, patient: InsIdentifier,
                       requests: Sequence[DocumentRequest],
                       access_mode: PurposeOfUse | None = None
                       ) -> Plan[list[RetrievedDocument]]:
    """TD3.2 (ITI-43): several documents in one call."""
    body = retrieve_message(requests)
    return single(Call(catalogue.get("TD3.2"), body, patient, access_mode), decode_retrieve)
