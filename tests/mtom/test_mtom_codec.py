"""MTOM encode/decode against the IHE XDS.b sample envelopes, and the refusals of item 6."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from dmpkit import mtom
from dmpkit.namespaces import XDSB, XOP
from dmpkit.xmlparse import parse_xml

ITI41_ACTION = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
DOCUMENT = f"{{{XDSB}}}Document"


def _documents(element: etree._Element) -> list[bytes]:
    return [base64.b64decode("".join((d.text or "").split())) for d in element.iter(DOCUMENT)]


def _root_with(*cids: str) -> bytes:
    includes = "".join(
        f'<Document xmlns="{XDSB}"><xop:Include xmlns:xop="{XOP}" '
        f'href="{mtom.href_for_cid(c)}"/></Document>'
        for c in cids
    )
    return (
        f'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>{includes}'
        "</s:Body></s:Envelope>"
    ).encode()


def test_iti41_sample_round_trip(iti41_envelope: etree._Element) -> None:
    expected = _documents(iti41_envelope)
    message = mtom.encode_envelope(iti41_envelope, action=ITI41_ACTION)
    media_type = mtom.parse_media_type(message.content_type)
    # REFERENCE §1.4: the header shape observed for DMP ITI-41.
    assert media_type.essence == "multipart/related"
    assert media_type.get("type") == "application/xop+xml"
    assert media_type.get("start-info") == "application/soap+xml"
    assert media_type.get("action") == ITI41_ACTION
    assert media_type.get("start") == f"<{message.root_content_id}>"
    decoded = mtom.decode(message.content_type, message.body)
    assert decoded.action == ITI41_ACTION
    assert mtom.parse_media_type(decoded.root.content_type).get("type") == "application/soap+xml"
    root = decoded.root_element()
    assert [d.text for d in root.iter(DOCUMENT)] == [None]  # the Include replaced the base64
    assert [bytes(v) for v in decoded.resolve().values()] == expected
    assert _documents(decoded.root_element(inline=True)) == expected
    # The caller's tree is untouched.
    assert _documents(iti41_envelope) == expected


def test_iti43_sample_two_documents(iti43_envelope: etree._Element) -> None:
    expected = _documents(iti43_envelope)
    assert len(expected) == 2
    message = mtom.encode_envelope(
        iti43_envelope, action="urn:ihe:iti:2007:RetrieveDocumentSetResponse"
    )
    decoded = mtom.decode(message.content_type, message.body)
    assert len(decoded.attachments) == 2
    assert _documents(decoded.root_element(inline=True)) == expected


def test_decoded_parts_are_views_on_the_body() -> None:
    payload = bytes(range(256)) * 4096
    message = mtom.encode(
        _root_with("a@x"), [mtom.MtomPart("a@x", "application/pdf", payload)], action=None
    )
    body = message.body
    decoded = mtom.decode(message.content_type, body)
    data = decoded.attachments["a@x"].data
    assert isinstance(data, memoryview)
    assert data.obj is body  # zero-copy: a window on the received bytes
    assert data == payload


def test_encode_does_not_copy_payloads_until_joined() -> None:
    payload = memoryview(b"\x00\x01" * 1000)
    message = mtom.encode(
        _root_with("a@x"), [mtom.MtomPart("a@x", "application/pdf", payload)], action=None
    )
    assert any(chunk is payload for chunk in message.iter_chunks())
    assert len(message) == len(message.body)


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(
            lambda body, b: body[: body.rindex(b"--" + b + b"--")], id="no-closing-boundary"
        ),
        pytest.param(lambda body, b: body[: len(body) // 2], id="cut-inside-a-part"),
        pytest.param(
            lambda body, b: body[: body.index(b"Content-ID", 60)], id="cut-inside-headers"
        ),
    ],
)
def test_truncated_multipart_is_refused(cut) -> None:  # type: ignore[no-untyped-def]
    message = mtom.encode(
        _root_with("a@x"), [mtom.MtomPart("a@x", "text/plain", b"x" * 500)], action=None
    )
    with pytest.raises(mtom.MtomTruncatedError):
        mtom.decode(message.content_type, cut(message.body, message.boundary.encode()))


def _message() -> mtom.MtomMessage:
    return mtom.encode(
        _root_with("a@x"),
        [mtom.MtomPart("a@x", "text/plain", b"payload")],
        action="urn:x",
        boundary="b0undary",
        root_content_id="root@x",
    )


def test_wrong_start_is_refused() -> None:
    message = _message()
    with pytest.raises(mtom.MtomStartError, match="names no part"):
        mtom.decode(message.content_type.replace("<root@x>", "<other@x>"), message.body)
    # start pointing at the binary part: it is not an XOP package
    with pytest.raises(mtom.MtomStartError, match="expected application/xop\\+xml"):
        mtom.decode(message.content_type.replace("<root@x>", "<a@x>"), message.body)


def test_missing_boundary_parameter_is_refused() -> None:
    message = _message()
    with pytest.raises(mtom.MtomHeaderError, match="boundary"):
        mtom.decode(message.content_type.replace('boundary="b0undary"; ', ""), message.body)


def test_wrong_boundary_is_refused() -> None:
    message = _message()
    with pytest.raises(mtom.MtomStructureError):
        mtom.decode(message.content_type.replace("b0undary", "other"), message.body)


def test_not_xop_is_refused() -> None:
    message = _message()
    with pytest.raises(mtom.MtomHeaderError, match="application/xop\\+xml"):
        mtom.decode(
            message.content_type.replace('type="application/xop+xml"', 'type="text/xml"'),
            message.body,
        )
    with pytest.raises(mtom.MtomHeaderError, match="multipart/related"):
        mtom.decode("application/soap+xml", message.body)


def test_unresolved_cid_is_refused() -> None:
    message = _message()
    body = message.body.replace(b"Content-ID: <a@x>", b"Content-ID: <b@x>")
    decoded = mtom.decode(message.content_type, body)
    with pytest.raises(mtom.MtomReferenceError, match="a@x"):
        decoded.resolve()
    with pytest.raises(mtom.MtomReferenceError):
        decoded.root_element(inline=True)


def test_duplicate_cid_is_refused() -> None:
    message = _message()
    extra = b"\r\n--b0undary\r\nContent-Type: text/plain\r\nContent-ID: <a@x>\r\n\r\nother"
    body = message.body.replace(b"\r\n--b0undary--", extra + b"\r\n--b0undary--")
    with pytest.raises(mtom.MtomReferenceError, match="two parts"):
        mtom.decode(message.content_type, body)


def test_percent_encoded_cid_resolves_per_rfc_2392() -> None:
    # RFC 2392: the cid URL is the percent-encoded addr-spec of the Content-ID.
    message = mtom.encode(
        _root_with("doc/1@example.org"),
        [mtom.MtomPart("doc/1@example.org", "text/plain", b"hello")],
        action=None,
    )
    assert b'href="cid:doc%2F1@example.org"' in message.body
    # Another stack may encode more (here the "@" too): it names the same part.
    body = message.body.replace(
        b'href="cid:doc%2F1@example.org"', b'href="cid:doc%2F1%40example.org"'
    )
    assert body != message.body
    assert bytes(mtom.decode(message.content_type, body).resolve()["doc/1@example.org"]) == b"hello"
    assert mtom.href_for_cid("a b@x") == "cid:a%20b@x"
    assert mtom.cid_from_href("cid:a%20b@x") == "a b@x"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("content_id", "a@x>\r\nX-Evil: 1"),
        ("content_type", "text/plain\r\nX-Evil: 1"),
        ("action", "urn:a\r\nX-Evil: 1"),
    ],
)
def test_header_injection_is_refused(field: str, value: str) -> None:
    cid = value if field == "content_id" else "a@x"
    part = mtom.MtomPart(cid, value if field == "content_type" else "text/plain", b"data")
    with pytest.raises(mtom.MtomHeaderError):
        mtom.encode(_root_with(cid), [part], action=value if field == "action" else None)


def test_part_headers_with_control_characters_are_refused() -> None:
    message = _message()
    body = message.body.replace(b"Content-Type: text/plain", b"Content-Type: text/plain\x0b")
    with pytest.raises(mtom.MtomHeaderError):
        mtom.decode(message.content_type, body)


def test_encode_checks_references_and_boundary() -> None:
    with pytest.raises(mtom.MtomReferenceError, match="names no part"):
        mtom.encode(
            _root_with("a@x", "b@x"), [mtom.MtomPart("a@x", "text/plain", b"1")], action=None
        )
    with pytest.raises(mtom.MtomReferenceError, match="not referenced"):
        mtom.encode(_root_with(), [mtom.MtomPart("a@x", "text/plain", b"1")], action=None)
    with pytest.raises(mtom.MtomReferenceError, match="twice"):
        mtom.encode(_root_with("a@x"), [mtom.MtomPart("a@x", "t/p", b"1")] * 2, action=None)
    with pytest.raises(mtom.MtomHeaderError, match="boundary occurs"):
        mtom.encode(
            _root_with("a@x"),
            [mtom.MtomPart("a@x", "t/p", b"x\r\n--bb\r\n")],
            action=None,
            boundary="bb",
        )
    with pytest.raises(mtom.MtomHeaderError, match="RFC 2046"):
        mtom.encode(
            _root_with("a@x"), [mtom.MtomPart("a@x", "t/p", b"1")], action=None, boundary="x" * 71
        )


def test_limits_are_enforced() -> None:
    message = _message()
    with pytest.raises(mtom.MtomLimitError, match="parts"):
        mtom.decode(message.content_type, message.body, limits=mtom.MtomLimits(max_parts=1))
    with pytest.raises(mtom.MtomLimitError, match="bytes"):
        mtom.decode(message.content_type, message.body, limits=mtom.MtomLimits(max_part_bytes=100))
    with pytest.raises(mtom.MtomLimitError, match="headers"):
        mtom.decode(message.content_type, message.body, limits=mtom.MtomLimits(max_header_bytes=20))
    with pytest.raises(mtom.MtomLimitError, match="body"):
        mtom.decode(message.content_type, message.body, limits=mtom.MtomLimits(max_body_bytes=10))


def test_externalize_refuses_invalid_base64() -> None:
    root = parse_xml(f'<r xmlns="{XDSB}"><Document>not base64!</Document></r>'.encode())
    with pytest.raises(mtom.MtomReferenceError, match="base64"):
        mtom.externalize(root)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=2000), min_size=1, max_size=5))
def test_any_payloads_round_trip(payloads: list[bytes]) -> None:
    cids = [f"{i}.part@dmpkit" for i in range(len(payloads))]
    parts = [
        mtom.MtomPart(c, "application/octet-stream", p) for c, p in zip(cids, payloads, strict=True)
    ]
    message = mtom.encode(_root_with(*cids), parts, action="urn:a")
    resolved = mtom.decode(message.content_type, message.body).resolve()
    assert [hashlib.sha256(resolved[c]).digest() for c in cids] == [
        hashlib.sha256(p).digest() for p in payloads
    ]


def test_lf_only_line_endings_are_refused_clearly() -> None:
    message = _message()
    with pytest.raises(mtom.MtomStructureError, match="CRLF"):
        mtom.decode(message.content_type, message.body.replace(b"\r\n", b"\n"))
