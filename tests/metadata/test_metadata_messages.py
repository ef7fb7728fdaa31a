"""Reading the metadata of ITI-41 messages in every shape a vendor saves: bare, SOAP, MTOM."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from metadata_samples import CONTENT, CONTENTS, dmp_submission

from dmpkit import testmode
from dmpkit.cli import main
from dmpkit.metadata import to_provide_and_register, to_submit_objects_request
from dmpkit.metadata.messages import MessageFormatError, read_message
from dmpkit.metadata.validate import validate_message
from dmpkit.mtom import encode_envelope
from dmpkit.namespaces import SOAP12

ITI41_ACTION = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"


def _envelope(payload: etree._Element) -> etree._Element:
    envelope = etree.Element(f"{{{SOAP12}}}Envelope", nsmap={"soap": SOAP12})
    etree.SubElement(envelope, f"{{{SOAP12}}}Body").append(payload)
    return envelope


def _mtom_capture(with_headers: bool) -> tuple[bytes, str]:
    testmode.enable(seed=3)
    try:
        envelope = _envelope(to_provide_and_register(dmp_submission(), CONTENTS))
        message = encode_envelope(envelope, action=ITI41_ACTION)
    finally:
        testmode.disable()
    head = f"POST /repository HTTP/1.1\r\nContent-Type: {message.content_type}\r\n\r\n"
    body = message.body
    return ((head.encode("latin-1") + body) if with_headers else body), message.content_type


def test_bare_submit_objects_request_is_a_submission_without_documents() -> None:
    data = etree.tostring(to_submit_objects_request(dmp_submission()))
    message = read_message(data)
    assert message.kind == "SubmitObjectsRequest"
    assert message.submission and message.documents is None
    assert message.prefix == "/lcm:SubmitObjectsRequest/rim:RegistryObjectList"
    assert validate_message(data) == []


def test_soap_provide_and_register_carries_the_documents() -> None:
    data = etree.tostring(_envelope(to_provide_and_register(dmp_submission(),
                                                            CONTENTS)))
    message = read_message(data)
    assert message.documents == CONTENTS
    assert message.prefix.startswith("/soap:Envelope/soap:Body/xdsb:ProvideAndRegister")
    assert validate_message(data) == []


@pytest.mark.parametrize("with_headers", [True, False])
def test_raw_mtom_capture_is_read_and_hash_checked(with_headers: bool) -> None:
    data, _ = _mtom_capture(with_headers)
    message = read_message(data)
    assert message.documents == CONTENTS
    assert validate_message(data) == []
    broken = data.replace(CONTENT, CONTENT.replace(b"v3", b"v4"))
    assert [f.rule_id for f in validate_message(broken)] == ["DMP-DE-HASH-MATCHES"]


def test_mtom_body_with_explicit_content_type() -> None:
    data, content_type = _mtom_capture(with_headers=False)
    assert read_message(data, content_type).documents == CONTENTS


def test_not_a_message_is_a_typed_error() -> None:
    with pytest.raises(MessageFormatError):
        read_message(b"hello")
    with pytest.raises(MessageFormatError):
        read_message(etree.tostring(etree.Element("{urn:x}Other")))


def test_cli_exit_codes_and_json(tmp_path: Path, spec_store: Path) -> None:
    good = tmp_path / "good.xml"
    good.write_bytes(etree.tostring(_envelope(to_provide_and_register(
        dmp_submission(), CONTENTS))))
    runner = CliRunner()
    ok = runner.invoke(main, ["metadata", "validate", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "0 error(s)" in ok.output
    sample = spec_store / "examples/ihe-xds-b/ProvideAndRegisterDocumentSet-bRequest_SOAP.xml"
    bad = runner.invoke(main, ["metadata", "validate", str(good), str(sample), "--json"])
    assert bad.exit_code == 1
    import json

    report = json.loads(bad.output)
    assert report[str(good)] == []
    codes = {f["rule_id"] for f in report[str(sample)]}
    assert {"DMP-DE-TYPECODE-VS", "DMP-SS-PATIENTID-INS", "DMP-DE-UNIQUEID-PLAIN-OID"} - codes \
        == {"DMP-DE-UNIQUEID-PLAIN-OID"}  # the sample's uniqueId is a plain OID
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not xml")
    assert runner.invoke(main, ["metadata", "validate", str(junk)]).exit_code == 2


def test_cli_lists_rules_and_unknowns() -> None:
    result = CliRunner().invoke(main, ["metadata", "rules"])
    assert result.exit_code == 0
    assert "DMP-DE-TYPECODE-VS" in result.output and "UNK-SIZE-LIMITS" in result.output
