"""Reading the simulator's answers in tests (through the hardened parser)."""

from __future__ import annotations

import socket

import httpx
from lxml import etree

from dmpkit import mtom
from dmpkit.query import stored_query
from dmpkit.soap import read_envelope
from dmpkit.xmlparse import parse_xml

BASE_URL = "https://localhost"

NS = {
    "hl7": "urn:hl7-org:v3",
    "rs": "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0",
    "rim": "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0",
    "query": "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0",
    "xdsb": "urn:ihe:iti:xds-b:2007",
    "hab": "urn:si-dmp-habilitations",
    "soap": "http://www.w3.org/2003/05/soap-envelope",
}
ACTIVE = "279035121518989"
APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
FIND_DOCUMENTS = stored_query("FindDocuments").query_id


def root_of(response: httpx.Response) -> etree._Element:
    """The envelope of a plain or MTOM answer."""
    content_type = response.headers.get("content-type", "")
    if mtom.is_multipart(content_type):
        return mtom.decode(content_type, response.content).root_element()
    return parse_xml(response.content)


def body_of(response: httpx.Response) -> etree._Element:
    """The SOAP Body payload of a non-fault answer."""
    return read_envelope(root_of(response)).body_payload


def fault_subcode(response: httpx.Response) -> tuple[str, str]:
    """(Code value, Subcode value) of a SOAP fault answer."""
    root = root_of(response)
    code = root.xpath("string(//soap:Fault/soap:Code/soap:Value)", namespaces=NS)
    sub = root.xpath("string(//soap:Fault/soap:Code/soap:Subcode/soap:Value)", namespaces=NS)
    return str(code), str(sub).split(":")[-1]


def xpath(element: etree._Element, path: str) -> list[str]:
    """Strings selected by an XPath over the test namespaces."""
    found = element.xpath(path, namespaces=NS)
    if isinstance(found, str):
        return [found]
    return [str(v) for v in found]  # type: ignore[union-attr]


def find_documents_query(ins: str = ACTIVE, status: str = APPROVED) -> dict[str, list[str]]:
    """The slots of a FindDocuments query for a patient."""
    return {"$XDSDocumentEntryPatientId": [f"'{ins}^^^&1.2.250.1.213.1.4.10&ISO^NH'"],
            "$XDSDocumentEntryStatus": [f"('{status}')"]}


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
