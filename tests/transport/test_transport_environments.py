"""Environment profiles (TOML user configuration) and transport settings validation."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

import dmpkit.transport as transport
from dmpkit.transport import (
    DMP_TLS12_CIPHERS,
    TransportConfig,
    TransportConfigError,
    TransportError,
    build_ssl_context,
    content_type_with_action,
    service_url,
)
from dmpkit.transport.environments import (
    EnvironmentConfigError,
    get_environment,
    load_environments,
    local_environment,
)

# REFERENCE §1.2 service paths, as the issue lists them.
SERVICES = [
    "patients",
    "patientsSpecific",
    "patientsPDQ",
    "habilitations",
    "registry",
    "repository",
]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "environments.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_profiles_load_with_relative_paths_and_retries(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        [environments.dv1]
        description = "CNDA shared sandbox"
        base_url = "https://lps.dev1.dmp.gouv.fr"
        pkcs12 = "certs/auth_cli.p12"
        pkcs12_password_env = "DMPKIT_DV1_P12_PASSWORD"
        ca_bundle = "/etc/dmpkit/igc-sante-test.pem"
        read_timeout = 90
        [environments.dv1.retries]
        max_attempts = 2
        """,
    )
    environments = load_environments(path)
    assert sorted(environments) == ["dv1", "local"]
    dv1 = environments["dv1"]
    assert dv1.transport.pkcs12 == tmp_path / "certs/auth_cli.p12"
    assert dv1.transport.ca_bundle == Path("/etc/dmpkit/igc-sante-test.pem")
    assert dv1.transport.read_timeout == 90.0
    assert dv1.transport.retries.max_attempts == 2
    assert dv1.description == "CNDA shared sandbox"
    assert [dv1.service_url(s) for s in SERVICES] == [
        f"https://lps.dev1.dmp.gouv.fr/si-dmp-server/v2/services/{s}" for s in SERVICES
    ]


def test_config_file_from_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "DMPKIT_CONFIG", str(_write(tmp_path, '[environments.t]\nbase_url = "https://h.example"\n'))
    )
    assert get_environment("t").transport.base_url == "https://h.example"
    with pytest.raises(
        EnvironmentConfigError, match=r"no environment 'u'; known: \['local', 't'\]"
    ):
        get_environment("u")


def test_missing_default_file_leaves_local_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DMPKIT_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert list(load_environments()) == ["local"]
    assert local_environment(8443).transport.base_url == "https://127.0.0.1:8443"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[environments.x]\nbase_url = "https://h"\npkcs12_password = "secret"\n',
            "never put secrets",
        ),
        ('[environments.x]\nbase_url = "https://h"\ncolour = "blue"\n', "unknown keys"),
        ('[environments.local]\nbase_url = "https://h"\n', "reserved"),
        ("[environments.x]\nread_timeout = 3\n", "no base_url"),
        ('[environments.x]\nbase_url = "http://dmp.example"\n', "only allowed on loopback"),
        (
            '[environments.x]\nbase_url = "https://h/si-dmp-server/v2/services"\n',
            "must not carry a path",
        ),
        ('[environments.x]\nbase_url = "https://h"\nread_timeout = "slow"\n', "number of seconds"),
        (
            '[environments.x]\nbase_url = "https://h"\npkcs12 = "a.p12"\nclient_cert = "c.pem"\n',
            "not both",
        ),
        (
            '[environments.x]\nbase_url = "https://h"\n'
            "[environments.x.retries]\nmax_attempts = 0\n",
            "at least 1",
        ),
        ("[environments.x\n", "not valid TOML"),
        ('[servers.x]\nbase_url = "https://h"\n', "unknown top-level"),
    ],
)
def test_invalid_profiles_are_refused_with_clear_errors(
    tmp_path: Path, body: str, message: str
) -> None:
    with pytest.raises(EnvironmentConfigError, match=message):
        load_environments(_write(tmp_path, body))


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentConfigError, match="does not exist"):
        load_environments(tmp_path / "absent.toml")


def test_service_urls_and_unknown_services() -> None:
    assert (
        service_url("https://h:8443/", "repository")
        == "https://h:8443/si-dmp-server/v2/services/repository"
    )
    with pytest.raises(TransportConfigError, match="unknown DMP service 'repositories'"):
        service_url("https://h", "repositories")


def test_action_is_added_to_the_content_type() -> None:
    assert content_type_with_action("application/soap+xml; charset=utf-8", "urn:a") == (
        'application/soap+xml; charset=utf-8; action="urn:a"'
    )
    assert (
        content_type_with_action('application/soap+xml; action="urn:a"', "urn:a")
        == 'application/soap+xml; action="urn:a"'
    )
    with pytest.raises(TransportError, match="says action"):
        content_type_with_action('application/soap+xml; action="urn:a"', "urn:b")
    with pytest.raises(TransportError):
        content_type_with_action("application/soap+xml", "urn:a\r\nX-Injected: 1")


def test_ssl_context_enforces_tls12_and_dmp_ciphers(tmp_path: Path) -> None:
    context = build_ssl_context(TransportConfig(base_url="https://h"))
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    tls12 = {c["name"] for c in context.get_ciphers() if c["protocol"] == "TLSv1.2"}
    assert tls12 and tls12 <= set(DMP_TLS12_CIPHERS.split(":"))
    # REFERENCE §10.4 suites are all offered
    assert {
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-CHACHA20-POLY1305",
    } <= tls12


def test_missing_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(TransportConfigError, match="CA bundle file"):
        build_ssl_context(TransportConfig(base_url="https://h", ca_bundle=tmp_path / "none.pem"))
    with pytest.raises(TransportConfigError, match="client certificate file"):
        build_ssl_context(TransportConfig(base_url="https://h", client_cert=tmp_path / "none.pem"))
    (tmp_path / "junk.pem").write_text("junk")
    with pytest.raises(TransportConfigError, match="could not be loaded"):
        build_ssl_context(TransportConfig(base_url="https://h", client_cert=tmp_path / "junk.pem"))


def test_public_api_matches_all() -> None:
    public = {name for name in dir(transport) if not name.startswith("_")}
    assert set(transport.__all__) == public - {"environments", "annotations"}


def test_cli_lists_and_checks_profiles(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dmpkit.cli import main

    path = _write(
        tmp_path,
        '[environments.t]\nbase_url = "https://h.example"\npkcs12 = "absent.p12"\n',
    )
    runner = CliRunner()
    listed = runner.invoke(main, ["environments", "list", "--config", str(path)])
    assert listed.exit_code == 0, listed.output
    assert "local" in listed.output and "https://h.example" in listed.output
    checked = runner.invoke(main, ["environments", "check", "t", "--config", str(path)])
    assert checked.exit_code == 1
    assert "PKCS#12 file" in checked.output and "does not exist" in checked.output
    assert runner.invoke(main, ["environments", "check", "local"]).exit_code == 0
