"""Interoperability: a zeep client built from the public IHE WSDLs calls the XDS endpoints.

zeep reads the WSDLs from the spec store; the one absolute schema URL they import
(``http://www.w3.org/2001/xml.xsd``) is served from the local copy by a custom transport, so
nothing leaves the machine. Found limits of zeep, kept as facts in these tests: it does not
decode the ebRIM substitution group (``rim:Identifiable``), so objects are read from the raw
answer; and it sends no MTOM, so the simulator refuses its ITI-41 as the DMP requires MTOM.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from zeep.transports import Transport

from dmpkit.pki import TestPki
from dmpkit.simulator import Simulator
from dmpkit.simulator.records import REPOSITORY_UNIQUE_ID
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


@dataclass
class ZeepClients:
    """zeep clients of the registry and repository WSDLs, built once (parsing is slow)."""

    registry: zeep.Client
    repository: zeep.Client
    session: requests.Session


@pytest.fixture(scope="module")
def zeep_clients(sim_pki_dir: Path, spec_store: Path) -> Iterator[ZeepClients]:
    """The clients, their session presenting the ORG AUTH_CLI certificate."""
    files = server_files(sim_pki_dir)
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify otherwise
    session.cert = (str(files.client_certificate), str(files.client_key))
    session.verify = str(files.client_ca)
    transport = LocalSchemaTransport(spec_store, session)
    wsdl = spec_store / "ihe-iti" / "wsdl"
    settings = zeep.Settings(strict=False)  # see the module docstring
    yield ZeepClients(
        zeep.Client(str(wsdl / "XDS.b_DocumentRegistry.wsdl"), settings=settings,
                    transport=transport),
        zeep.Client(str(wsdl / "XDS.b_DocumentRepository.wsdl"), settings=settings,
                    transport=transport),
        session)
    session.close()


@pytest.fixture
def clients(zeep_clients: ZeepClients, https_server: tuple[str, Simulator]
            ) -> Iterator[ZeepClients]:
    """The clients; their keep-alive connections closed before the server stops."""
    del https_server  # only its order matters: this fixture is torn down first
    yield zeep_clients
    zeep_clients.session.close()


def _security(pki: TestPki) -> etree._Element:
    claims = VihfClaims(identifiant_structure=pki.structure.identifiant_structure,
                        resource_id=InsIdentifier(ACTIVE), authentification_mode=None)
    security = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE})
    security.append(VihfSigner.from_certified_key(pki.sign).sign(claims))
    return security


def _service(client: zeep.Client, binding: str, base_url: str, service: str) -> Any:
    address = f"{base_url}/si-dmp-server/v2/services/{service}"
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


@pytest.mark.slow
def test_zeep_iti18_and_iti43(clients: ZeepClients, https_server: tuple[str, Simulator],
                              sim_pki: TestPki) -> None:
    base_url, _ = https_server
    registry = _service(clients.registry, "DocumentRegistry_Binding_Soap12", base_url,
                        "registry")
    typed = _query(registry, sim_pki)
    assert typed.status == "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
    with clients.registry.settings(raw_response=True):
        raw = _query(registry, sim_pki)
    answer = parse_xml(raw.content)
    unique_ids = xpath(answer, "//rim:ExternalIdentifier[@identificationScheme="
                               "'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab']/@value")
    assert unique_ids, "FindDocuments returned no document"
    repository = _service(clients.repository, "DocumentRepository_Binding", base_url,
                          "repository")
    result = repository.DocumentRepository_RetrieveDocumentSet(
        DocumentRequest=[{"RepositoryUniqueId": REPOSITORY_UNIQUE_ID,
                          "DocumentUniqueId": unique_ids[0]}],
        _soapheaders=[_security(sim_pki)])
    assert result.RegistryResponse.status.endswith(":Success")
    assert result.DocumentResponse[0].DocumentUniqueId == unique_ids[0]
    assert b"Document de test dmpkit" in result.DocumentResponse[0].Document


@pytest.mark.slow
def test_zeep_iti41_without_mtom_is_refused(clients: ZeepClients,
                                            https_server: tuple[str, Simulator],
                                            sim_pki: TestPki) -> None:
    base_url, _ = https_server
    repository = _service(clients.repository, "DocumentRepository_Binding", base_url,
                          "repository")
    with clients.repository.settings(raw_response=True):
        raw = repository["DocumentRepository_ProvideAndRegisterDocumentSet-b"](
            SubmitObjectsRequest={"RegistryObjectList": {}},
            Document=[{"id": "Document01", "_value_1": b"x"}],
            _soapheaders=[_security(sim_pki)])
    assert raw.status_code == 500
    assert b"DMPKIT_MtomRequired" in raw.content
