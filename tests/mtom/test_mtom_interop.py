"""Interoperability both ways, each test naming the independent code on the other side.

- Python's standard library MIME parser (``email``) and requests-toolbelt's ``MultipartDecoder``
  read what :func:`dmpkit.mtom.encode` writes;
- :func:`dmpkit.mtom.decode` reads what the standard library's ``email.mime`` classes and
  requests-toolbelt's ``MultipartEncoder`` write, and captures written by hand in the shapes
  Apache CXF and Apache Axis2 put on the wire (REFERENCE §1.4, §10.2).
"""

from __future__ import annotations

import base64
import email
import email.policy
from copy import deepcopy
from email import encoders
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart

from lxml import etree
from requests_toolbelt.multipart.decoder import MultipartDecoder
from requests_toolbelt.multipart.encoder import MultipartEncoder

from dmpkit import mtom
from dmpkit.namespaces import XDSB, XOP

ITI43_RESPONSE_ACTION = "urn:ihe:iti:2007:RetrieveDocumentSetResponse"
# Binary payloads holding CRLF, dashes and NUL bytes, as real PDFs do.
PDF_LIKE = b"%PDF-1.4\r\n--\r\n\x00\xff" + bytes(range(256)) * 64 + b"\r\n--end"
CDA_LIKE = b'<?xml version="1.0"?><ClinicalDocument xmlns="urn:hl7-org:v3"/>\r\n'
PAYLOADS = {"0.doc@dmpkit": PDF_LIKE, "1.doc@dmpkit": CDA_LIKE}


def _iti43_root(sample: etree._Element, cids: list[str]) -> bytes:
    """IHE's ITI-43 sample response with its two Documents turned into XOP references."""
    tree = deepcopy(sample)
    for document, cid in zip(tree.iter(f"{{{XDSB}}}Document"), cids, strict=True):
        document.text = None
        include = etree.SubElement(document, f"{{{XOP}}}Include", nsmap={"xop": XOP})
        include.set("href", mtom.href_for_cid(cid))
    return etree.tostring(tree)


def _ours(sample: etree._Element) -> mtom.MtomMessage:
    parts = [mtom.MtomPart(cid, "application/octet-stream", data) for cid, data in PAYLOADS.items()]
    return mtom.encode(_iti43_root(sample, list(PAYLOADS)), parts, action=ITI43_RESPONSE_ACTION)


def test_stdlib_email_parser_reads_ours(iti43_envelope: etree._Element) -> None:
    """Independent reader: ``email.message_from_bytes`` (policy default)."""
    message = _ours(iti43_envelope)
    raw = b"Content-Type: " + message.content_type.encode() + b"\r\n\r\n" + message.body
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/related"
    assert parsed.defects == []
    assert parsed.get_param("start") == f"<{message.root_content_id}>"
    parts = list(parsed.iter_parts())
    assert parts[0]["Content-ID"] == f"<{message.root_content_id}>"
    assert parts[0].get_content_type() == "application/xop+xml"
    received = {part["Content-ID"].strip("<>"): part.get_payload(decode=True) for part in parts[1:]}
    assert received == PAYLOADS


def test_requests_toolbelt_decoder_reads_ours(iti43_envelope: etree._Element) -> None:
    """Independent reader: ``requests_toolbelt.MultipartDecoder``."""
    message = _ours(iti43_envelope)
    decoder = MultipartDecoder(message.body, message.content_type)
    assert len(decoder.parts) == 3
    root, *attachments = decoder.parts
    assert root.headers[b"Content-Type"].startswith(b"application/xop+xml")
    received = {p.headers[b"Content-ID"].decode().strip("<>"): p.content for p in attachments}
    assert received == PAYLOADS


def test_ours_reads_stdlib_email_mime(iti43_envelope: etree._Element) -> None:
    """Independent writer: ``email.mime`` (MIMEMultipart/MIMEApplication, base64 parts)."""
    outer = MIMEMultipart(
        "related",
        type="application/xop+xml",
        start="<root@stdlib>",
        **{"start-info": "application/soap+xml"},
    )
    root = MIMEApplication(
        _iti43_root(iti43_envelope, list(PAYLOADS)), "xop+xml", encoders.encode_7or8bit
    )
    root.set_param("charset", "UTF-8")
    root.set_param("type", "application/soap+xml")
    root["Content-ID"] = "<root@stdlib>"
    outer.attach(root)
    for cid, data in PAYLOADS.items():
        attachment = MIMEApplication(data, "octet-stream")  # stdlib default: base64
        attachment["Content-ID"] = f"<{cid}>"
        outer.attach(attachment)
    _, _, body = outer.as_bytes(policy=email.policy.HTTP).partition(b"\r\n\r\n")
    decoded = mtom.decode(outer["Content-Type"], body)
    assert {cid: bytes(data) for cid, data in decoded.resolve().items()} == PAYLOADS
    documents = decoded.root_element(inline=True).iter(f"{{{XDSB}}}Document")
    assert [base64.b64decode(d.text or "") for d in documents] == list(PAYLOADS.values())


def test_ours_reads_requests_toolbelt_encoder(iti43_envelope: etree._Element) -> None:
    """Independent writer: ``requests_toolbelt.MultipartEncoder`` (binary parts, extra headers)."""
    root_type = 'application/xop+xml; charset=UTF-8; type="application/soap+xml"'
    fields = [
        (
            "root",
            (
                None,
                _iti43_root(iti43_envelope, list(PAYLOADS)),
                root_type,
                {"Content-ID": "<r@tb>"},
            ),
        )
    ]
    fields += [
        (cid, (f"{cid}.bin", data, "application/octet-stream", {"Content-ID": f"<{cid}>"}))
        for cid, data in PAYLOADS.items()
    ]
    encoder = MultipartEncoder(fields=fields)
    content_type = (
        'multipart/related; type="application/xop+xml"; start="<r@tb>"; '
        f"boundary={encoder.boundary_value}"
    )
    decoded = mtom.decode(content_type, encoder.to_string())
    assert {cid: bytes(data) for cid, data in decoded.resolve().items()} == PAYLOADS


# Shape of an Apache CXF MTOM response: "uuid:" boundary, action inside the root part's type
# parameter (escaped quotes), "<root.message@cxf.apache.org>" root id, binary parts.
CXF_BOUNDARY = "uuid:8a2b4f3c-5d6e-4f70-8192-a3b4c5d6e7f8"
CXF_CONTENT_TYPE = (
    f'multipart/related; type="application/xop+xml"; boundary="{CXF_BOUNDARY}"; '
    'start="<root.message@cxf.apache.org>"; start-info="application/soap+xml"'
)


def _cxf_capture(root: bytes, attachments: dict[str, bytes]) -> bytes:
    lines = [
        b"--" + CXF_BOUNDARY.encode(),
        b'Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml; '
        b'action=\\"' + ITI43_RESPONSE_ACTION.encode() + b'\\""',
        b"Content-Transfer-Encoding: binary",
        b"Content-ID: <root.message@cxf.apache.org>",
        b"",
        root,
    ]
    for cid, data in attachments.items():
        lines += [
            b"--" + CXF_BOUNDARY.encode(),
            b"Content-Type: application/octet-stream",
            b"Content-Transfer-Encoding: binary",
            b"Content-ID: <" + cid.encode() + b">",
            b"",
            data,
        ]
    return b"\r\n".join(lines) + b"\r\n--" + CXF_BOUNDARY.encode() + b"--"


def test_ours_reads_a_cxf_shaped_capture(iti43_envelope: etree._Element) -> None:
    """Independent writer: a hand-written capture in Apache CXF's wire shape."""
    cids = [
        "8c3e1f2a-0b4d-4e5f-9a6b-7c8d9e0f1a2b-1@cxf.apache.org",
        "8c3e1f2a-0b4d-4e5f-9a6b-7c8d9e0f1a2b-2@cxf.apache.org",
    ]
    body = _cxf_capture(
        _iti43_root(iti43_envelope, cids), dict(zip(cids, PAYLOADS.values(), strict=True))
    )
    decoded = mtom.decode(CXF_CONTENT_TYPE, body)
    assert decoded.action == ITI43_RESPONSE_ACTION  # read from the root part's type parameter
    assert [bytes(v) for v in decoded.resolve().values()] == list(PAYLOADS.values())


def test_ours_reads_an_iti43_fault_in_multipart() -> None:
    """REFERENCE §10.2: the SI DMP answers ITI-43 in multipart/related even with a SOAP fault."""
    fault = (
        b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><soap:Fault>'
        b"<soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code>"
        b'<soap:Reason><soap:Text xml:lang="fr">Erreur</soap:Text></soap:Reason>'
        b"</soap:Fault></soap:Body></soap:Envelope>"
    )
    decoded = mtom.decode(CXF_CONTENT_TYPE, _cxf_capture(fault, {}))
    assert decoded.attachments == {}
    assert decoded.resolve() == {}
    assert etree.QName(decoded.root_element()[0][0]).localname == "Fault"


def test_ours_reads_an_axis2_shaped_capture(iti43_envelope: etree._Element) -> None:
    """Independent writer: a hand-written capture in Apache Axis2's wire shape (unquoted boundary
    token, ``0.urn:uuid:…@apache.org`` root id, ``<0.1>``-style numbered ids, a preamble)."""
    boundary = "MIMEBoundary_4f6a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60"
    content_type = (
        f'multipart/related; boundary={boundary}; type="application/xop+xml"; '
        'start="<0.urn:uuid:4F6A1B2C3D4E5F6071@apache.org>"; start-info="application/soap+xml"; '
        f'action="{ITI43_RESPONSE_ACTION}"'
    )
    cids = ["1.urn:uuid:4F6A1B2C3D4E5F6072@apache.org", "0.1"]
    root = _iti43_root(iti43_envelope, cids)
    body = b"\r\n".join(
        [
            b"preamble ignored by MIME readers",
            b"--" + boundary.encode(),
            b'Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"',
            b"Content-Transfer-Encoding: binary",
            b"Content-ID: <0.urn:uuid:4F6A1B2C3D4E5F6071@apache.org>",
            b"",
            root,
            b"--" + boundary.encode(),
            b"Content-Type: application/octet-stream",
            b"Content-Transfer-Encoding: binary",
            b"Content-ID: <" + cids[0].encode() + b">",
            b"",
            PDF_LIKE,
            b"--" + boundary.encode(),
            b"Content-Type: text/xml",
            b"Content-Transfer-Encoding: binary",
            b"Content-ID: <0.1>",
            b"",
            CDA_LIKE,
            b"--" + boundary.encode() + b"--",
            b"",
        ]
    )
    decoded = mtom.decode(content_type, body)
    assert decoded.action == ITI43_RESPONSE_ACTION
    assert decoded.root.content_id == "0.urn:uuid:4F6A1B2C3D4E5F6071@apache.org"
    assert [bytes(v) for v in decoded.resolve().values()] == [PDF_LIKE, CDA_LIKE]
