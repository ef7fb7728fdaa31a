"""``dmpkit transactions``: the catalogue on the command line."""

from __future__ import annotations

import json

from click.testing import CliRunner

from dmpkit.catalogue import load_catalogue
from dmpkit.cli import main


def test_list_shows_the_supported_transactions() -> None:
    result = CliRunner().invoke(main, ["transactions", "list"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.output.splitlines()[2:]}
    assert listed == {t.id for t in load_catalogue().supported()}
    assert "TD0.0" not in listed


def test_list_all_as_json_includes_the_legacy_ones() -> None:
    result = CliRunner().invoke(main, ["transactions", "list", "--all", "--json"])
    assert result.exit_code == 0, result.output
    documents = {d["id"]: d for d in json.loads(result.output)}
    assert documents["TD0.0"]["scope"] == "out_of_scope"
    assert documents["TD3.1"]["path"] == "/si-dmp-server/v2/services/registry"


def test_show_by_td_number_gives_every_operation() -> None:
    result = CliRunner().invoke(main, ["transactions", "show", "TD0.3"])
    assert result.exit_code == 0, result.output
    names = [d["name"] for d in json.loads(result.output)]
    assert names == ["declare_authorisation", "remove_authorisation", "stop_being_medecin_traitant"]


def test_show_by_name_and_unknown_key() -> None:
    runner = CliRunner()
    by_name = runner.invoke(main, ["transactions", "show", "retrieve_documents"])
    assert json.loads(by_name.output)[0]["mtom_response"] == "required"
    unknown = runner.invoke(main, ["transactions", "show", "TD9.9"])
    assert unknown.exit_code == 1
    assert "TD9.9" in unknown.output
