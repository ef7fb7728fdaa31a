"""Interoperability: a zeep client built from the public IHE WSDLs calls the XDS endpoints.

zeep reads the WSDLs from the spec store; the one absolute schema URL they import
(``http://www.w3.org/2001/xml.xsd``) is served from the local copy by a custom transport, so
nothing leaves the machine. Found limits of zeep, kept as facts in these tests: it does not
decode the ebRIM substitution group (``rim:Identifiable``), so objects are read from the raw
answer; and it sends no MTOM, so the simulator refuses its ITI-41 as the DMP requires MTOM.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from zeep.transports import Transport

from dmpkit.pki import TestPki
from dmpkit.simulator import Simulator
from dmpkit.simulator.server import server_files
from dmpkit.vihf import InsIdentifier, VihfClaims, VihfSigner
from dmpkit.xmlparse import parse_xml
from tests.simulator.helpers import ACTIVE, APPROVED, FIND_DOCUMENTS, xpath

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


class LocalSchemaTransport(Transport):  # type: ignore[misc]
    """Serves the absolute schema URLs of the WSDLs from the spec store."""

    def __init__(self, store: Path, session: requests.Session) -> None:
        super().__init__(session=session)
        self.store = store

    def load(self, url: str) -> bytes:
        if url == "http://www.w3.org/2001/xml.xsd":
            return (self.store / "xml" / "xml.xsd").read_bytes()
        if url.startswith(("http://", "https://")):
            raise AssertionError(f"zeep tried to fetch {url} from the network")
        return bytes(super().load(url))


@pytest.fixture
def zeep_session(https_server: tuple[str, Simulator], sim_pki_dir: Path
                 ) -> Iterator[tuple[str, requests.Session]]:
    """A requests session presenting the ORG AUTH_CLI certificate to the running server."""
    base_url, _ = https_server
    files = server_files(sim_pki_dir)
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify otherwise
    session.cert = (str(files.client_certificate), str(files.client_key))
    session.verify = str(files.client_ca)
    yield base_url, session
    session.close()


def _security(pki: TestPki) -> etree._Element:
    claims = VihfClaims(identifiant_structure=pki.structure.identifiant_structure,
                        resource_id=InsIdentifier(ACTIVE), authentification_mode=None)
    security = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE})
    security.append(VihfSigner.from_certified_key(pki.sign).sign(claims))
    return security


def _service(spec_store: Path, session: requests.Session, wsdl: str, binding: str,
             address: str, raw: bool) -> Any:
    settings = zeep.Settings(strict=False, raw_response=raw)
    client = zeep.Client(str(spec_store / "ihe-iti" / "wsdl" / wsdl), settings=settings,
                         transport=LocalSchemaTransport(spec_store, session))
    return client.create_service(f"{{urn:ihe:iti:xds-b:2007}}{binding}", address)


def _query(service: Any, pki: TestPki) -> Any:
    slots = [("$XDSDocumentEntryPatientId", f"'{ACTIVE}^^^&1.2.250.1.213.1.4.10&ISO^NH'"),
             ("$XDSDocumentEntryStatus", f"('{APPROVED}')")]
    return service.DocumentRegistry_RegistryStoredQuery(
        ResponseOption={"returnType": "LeafClass", "returnComposedObjects": True},
        AdhocQuery={"id": FIND_DOCUMENTS, "Slot": [
            {"name": name, "ValueList": {"_value_1": [{"Value": value}]}}
            for name, value in slots]},
        _soapheaders=[_security(pki)])


def test_zeep_iti18_and_iti43(zeep_session: tuple[str, requests.Session], spec_store: Path,
                              sim_pki: TestPki) -> None:
    base_url, session = zeep_session
    registry = f"{base_url}/si-dmp-server/v2/services/registry"
    typed = _query(_service(spec_store, session, "XDS.b_DocumentRegistry.wsdl",
                            "DocumentRegistry_Binding_Soap12", registry, False), sim_pki)
    assert typed.status == "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
    raw = _query(_service(spec_store, session, "XDS.b_DocumentRegistry.wsdl",
                          "DocumentRegistry_Binding_Soap12", registry, True), sim_pki)
    answer = parse_xml(raw.content)
    unique_ids = xpath(answer, "//rim:ExternalIdentifier[@identificationScheme="
                               "'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab']/@value")
    assert unique_ids, "FindDocuments returned no document"
    repository = _service(spec_store, session, "XDS.b_DocumentRepository.wsdl",
                          "DocumentRepository_Binding",
                          f"{base_url}/si-dmp-server/v2/services/repository", False)
    result = repository.DocumentRepository_RetrieveDocumentSet(
        DocumentRequest=[{"RepositoryUniqueId": "1.2.250.1.213.1.1.1.1",
                          "DocumentUniqueId": unique_ids[0]}],
        _soapheaders=[_security(sim_pki)])
    assert result.RegistryResponse.status.endswith(":Success")
    assert result.DocumentResponse[0].DocumentUniqueId == unique_ids[0]
    assert b"Document de test dmpkit" in result.DocumentResponse[0].Document


def test_zeep_iti41_without_mtom_is_refused(zeep_session: tuple[str, requests.Session],
                                            spec_store: Path, sim_pki: TestPki) -> None:
    base_url, session = zeep_session
    repository = _service(spec_store, session, "XDS.b_DocumentRepository.wsdl",
                          "DocumentRepository_Binding",
                          f"{base_url}/si-dmp-server/v2/services/repository", True)
    raw = repository["DocumentRepository_ProvideAndRegisterDocumentSet-b"](
        SubmitObjectsRequest={"RegistryObjectList": {}},
        Document=[{"id": "Document01", "_value_1": b"x"}],
        _soapheaders=[_security(sim_pki)])
    assert raw.status_code == 500
    assert b"DMPKIT_MtomRequired" in raw.content
