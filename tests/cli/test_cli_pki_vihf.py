"""``dmpkit pki init`` and ``dmpkit vihf make|inspect|verify``: exit codes, JSON, forensics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from dmpkit import testmode
from dmpkit.cli import main

AT = "2025-01-15T09:31:00Z"


@pytest.fixture(autouse=True)
def _test_mode(spec_store: Path, pytestconfig: pytest.Config,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    assert pytestconfig.cache is not None
    monkeypatch.setenv("DMPKIT_SPECS", str(spec_store))
    monkeypatch.setenv("DMPKIT_TEST_KEY_CACHE", str(pytestconfig.cache.mkdir("dmpkit-test-keys")))
    saved = testmode._state  # restored exactly: other suites may run in env test mode
    testmode.enable(seed=1)
    yield
    testmode._state = saved


@pytest.fixture
def pki_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "pki"
    result = CliRunner().invoke(main, ["pki", "init", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    assert "ca/chain.pem" in json.loads(result.output)["files"]
    return folder


def _make(pki_dir: Path, output: Path, *options: str) -> None:
    result = CliRunner().invoke(main, ["vihf", "make", "--pki", str(pki_dir), "-o", str(output),
                                       *options])
    assert result.exit_code == 0, result.output


def test_init_refuses_a_non_empty_folder(pki_dir: Path) -> None:
    result = CliRunner().invoke(main, ["pki", "init", str(pki_dir)])
    assert result.exit_code == 1
    assert "--force" in result.output and "Traceback" not in result.output


def test_p12_password_comes_from_the_environment_and_is_never_printed(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["pki", "init", str(tmp_path / "p"), "--p12-password-env",
                                       "MY_P12"], env={"MY_P12": "s3cret-value"})
    assert result.exit_code == 0
    assert "s3cret-value" not in result.output and "$MY_P12" in result.output
    from dmpkit.pki import load_pkcs12

    assert load_pkcs12(tmp_path / "p/org/sign.p12", b"s3cret-value").certificate is not None


def test_make_inspect_verify(pki_dir: Path, tmp_path: Path) -> None:
    token = tmp_path / "vihf.xml"
    _make(pki_dir, token, "--purpose", "centre_15", "--role", "21^1.2.250.1.71.1.2.7^Pharmacien",
          "--role", "G^1.2.250.1.71.4.2.6", "--connexion-secrete", "--lps-id", "1.2.3")
    inspected = CliRunner().invoke(main, ["vihf", "inspect", str(token), "--json"])
    assert inspected.exit_code == 0
    claims = json.loads(inspected.output)["claims"]
    assert claims["purpose_of_use"] == "centre_15"
    assert [r["code"] for r in claims["roles"]] == ["21", "G"]
    verified = CliRunner().invoke(main, ["vihf", "verify", str(token), "--pki", str(pki_dir),
                                         "--at", AT, "--json"])
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.output)["valid"] is True


def test_make_reports_every_claim_problem(pki_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["vihf", "make", "--pki", str(pki_dir), "-o",
                                       str(tmp_path / "x.xml"), "--role", "10^1.2.250.1.71.1.2.7",
                                       "--ins", "279035121518988^^^&1.2.250.1.213.1.4.10&ISO^NH"])
    assert result.exit_code == 1
    assert "role[2]" in result.output and "resource-id" in result.output
    assert "Traceback" not in result.output


def test_verify_failure_prints_reason_and_forensics(pki_dir: Path, tmp_path: Path) -> None:
    token = tmp_path / "vihf.xml"
    _make(pki_dir, token)
    token.write_bytes(token.read_bytes().replace(b"SA01^", b"SA07^"))
    result = CliRunner().invoke(main, ["vihf", "verify", str(token), "--ca",
                                       str(pki_dir / "ca/chain.pem"), "--at", AT])
    assert result.exit_code == 1
    assert "INVALID: digest_mismatch" in result.output
    assert "canonical SignedInfo" in result.output and "computed:" in result.output


def test_verify_trusts_only_the_given_ca(pki_dir: Path, tmp_path: Path) -> None:
    token = tmp_path / "vihf.xml"
    _make(pki_dir, token)
    result = CliRunner().invoke(main, ["vihf", "verify", str(token), "--ca",
                                       str(pki_dir / "variants/foreign-ca/root.pem"),
                                       "--at", AT, "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["reason"] == "untrusted_certificate"
    assert report["forensics"]["references"][0]["computed_digest"] == \
        report["forensics"]["references"][0]["expected_digest"]


def test_verify_needs_exactly_one_trust_source(pki_dir: Path, tmp_path: Path) -> None:
    token = tmp_path / "vihf.xml"
    _make(pki_dir, token)
    result = CliRunner().invoke(main, ["vihf", "verify", str(token)])
    assert result.exit_code == 2
    assert "--pki" in result.output
