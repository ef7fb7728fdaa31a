"""The transaction catalogue (``specs/dmp/transactions.toml``) and its loader.

Facts are checked against the IHE WSDLs of the spec store, the schemas (public and
reconstructed) and, when the checkout sits beside it, ``../shared/dmp/REFERENCE.md``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from dmpkit.catalogue import (
    AccessMode,
    AmbiguousTransactionError,
    AuthMode,
    Catalogue,
    CatalogueFormatError,
    Certainty,
    Mtom,
    Scope,
    Service,
    UnknownTransactionError,
    default_catalogue_path,
    load_catalogue,
)
from dmpkit.xmlparse import parse_xml_file

REPO_ROOT = Path(__file__).resolve().parents[1]
CATALOGUE_FILE = REPO_ROOT / "specs" / "dmp" / "transactions.toml"
REFERENCE = REPO_ROOT.parent / "shared" / "dmp" / "REFERENCE.md"
XS = "http://www.w3.org/2001/XMLSchema"
RESOURCE_ID = "urn:oasis:names:tc:xacml:2.0:resource:resource-id"
REQUIRED_TDS = (
    "TD0.0", "TD0.1", "TD0.2", "TD0.3", "TD0.4", "TD0.5", "TD0.9", "TD1.1", "TD1.2", "TD1.3a",
    "TD1.3b", "TD1.4", "TD1.5a", "TD1.5b", "TD1.5d", "TD1.6", "TD2.1", "TD2.2", "TD3.1",
    "TD3.2", "TD3.3a", "TD3.3b", "TD3.3c", "TD3.3d",
)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


# --- loading ---------------------------------------------------------------------------------


def test_the_shipped_catalogue_is_the_checkout_file_and_is_cached() -> None:
    assert default_catalogue_path().resolve() == CATALOGUE_FILE.resolve()
    assert load_catalogue() is load_catalogue()
    assert load_catalogue(CATALOGUE_FILE) is load_catalogue()


def test_every_td_of_the_reference_is_catalogued(catalogue: Catalogue) -> None:
    for td in REQUIRED_TDS:
        assert catalogue.by_td(td), td


def test_transactions_are_hashable_values(catalogue: Catalogue) -> None:
    # The client and server key handlers by transaction.
    handlers = {t: t.name for t in catalogue.transactions}
    assert handlers[catalogue.get("TD3.2")] == "retrieve_documents"


def test_lookups(catalogue: Catalogue) -> None:
    td31 = catalogue.get("TD3.1")
    assert catalogue.by_name("search_documents") is td31
    assert catalogue.by_td("TD3.1") == (td31,)
    assert catalogue.by_action(Service.REGISTRY, "urn:ihe:iti:2007:RegistryStoredQuery") == (td31,)
    assert catalogue.by_action("repository", "urn:ihe:iti:2007:RegistryStoredQuery") == ()
    assert {t.name for t in catalogue.by_td("TD0.3")} == {
        "declare_authorisation", "remove_authorisation", "stop_being_medecin_traitant"
    }
    with pytest.raises(UnknownTransactionError, match=re.escape("TD9.9")):
        catalogue.get("TD9.9")
    with pytest.raises(UnknownTransactionError):
        catalogue.by_name("fly")


def test_lookup_by_alternate_action(catalogue: Catalogue) -> None:
    # REFERENCE §10.1: the WSDL soapAction forms must be accepted too.
    by_wsdl_form = catalogue.by_action("habilitations", "urn:hl7-org:v3:setAuthorization")
    assert {t.td for t in by_wsdl_form} == {"TD0.3"}
    pdq = catalogue.resolve("patientsPDQ", "urn:hl7-org:v3:PRPA_IN201305UV02")
    assert pdq.td == "TD0.5"


def test_shared_interactions_resolve_by_reason_code(catalogue: Catalogue) -> None:
    get_demographics = "urn:hl7-org:v3:PRPA_IN201307UV02"
    revise = "urn:hl7-org:v3:PRPA_IN201314UV02"
    cases = {
        (get_demographics, "TEST_EXST"): "TD0.2",
        (get_demographics, "CNSLT_DATA"): "TD1.3a",
        (revise, "REAC"): "TD1.2",
        (revise, "MODIF_DATA"): "TD1.3b",
        (revise, "FERM"): "TD1.4",
        ("urn:hl7-org:v3:PRPA_IN201311UV02", "CREA_RD"): "TD1.1",
    }
    for (action, reason), td in cases.items():
        assert catalogue.resolve("patients", action, reason_code=reason).id == td
    with pytest.raises(AmbiguousTransactionError, match="TEST_EXST"):
        catalogue.resolve("patients", get_demographics)
    with pytest.raises(UnknownTransactionError):
        catalogue.resolve("patients", get_demographics, reason_code="NOPE")


def test_feeding_resolves_by_authentication(catalogue: Catalogue) -> None:
    action = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
    assert catalogue.resolve("repository", action, auth_mode=AuthMode.DIRECT_CPE).id == "TD2.2"
    assert catalogue.resolve("repository", action, auth_mode=AuthMode.INDIRECT).id == "TD2.1"


def test_out_of_scope_actions_are_not_resolved(catalogue: Catalogue) -> None:
    action = "urn:si-dmp-patients:PatientSpecificEndPoint:createPatientAccess"
    assert [t.id for t in catalogue.by_action("patientsSpecific", action)] == ["TD1.5a"]
    with pytest.raises(UnknownTransactionError):
        catalogue.resolve("patientsSpecific", action)


# --- facts (REFERENCE §1.3, §10.1-10.3) ----------------------------------------------------------


def test_td31_is_a_registry_stored_query(catalogue: Catalogue) -> None:
    td31 = catalogue.get("TD3.1")
    assert td31.service is Service.REGISTRY
    assert td31.request_action == "urn:ihe:iti:2007:RegistryStoredQuery"
    assert td31.response_action == "urn:ihe:iti:2007:RegistryStoredQueryResponse"
    assert td31.request_root == "{urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0}AdhocQueryRequest"
    assert catalogue.service_path(td31.service) == "/si-dmp-server/v2/services/registry"


def test_mtom(catalogue: Catalogue) -> None:
    for td in ("TD2.1", "TD2.2"):
        assert catalogue.get(td).mtom_request is Mtom.REQUIRED
    # ITI-43 answers are multipart even when they carry a fault (§10.2).
    assert catalogue.get("TD3.2").mtom_response is Mtom.REQUIRED
    assert catalogue.get("TD0.2").mtom_request is Mtom.NONE


def test_idempotency(catalogue: Catalogue) -> None:
    # §10.2: adding an existing authorisation succeeds, so TD0.3 may be retried.
    assert all(t.idempotent for t in catalogue.by_td("TD0.3"))
    assert catalogue.get("TD0.2").idempotent and catalogue.get("TD3.1").idempotent
    # A repeat is refused (DMPFound / DMPClosed) or duplicates a document.
    for td in ("TD1.1", "TD1.4", "TD2.1", "TD3.3c"):
        assert not catalogue.get(td).idempotent, td


@pytest.mark.parametrize(
    ("td", "why"),
    [("TD0.0", "2023"), ("TD0.9", "URL"), ("TD1.5a", "2024"), ("TD1.5b", "2024"),
     ("TD1.5d", "2024")],
)
def test_legacy_transactions_are_out_of_scope_with_a_reason(
    catalogue: Catalogue, td: str, why: str
) -> None:
    transaction = catalogue.get(td)
    assert transaction.scope is Scope.OUT_OF_SCOPE
    assert transaction.scope_reason is not None and why in transaction.scope_reason
    assert not transaction.supported


def test_authentication_is_cross_cutting(catalogue: Catalogue) -> None:
    td01 = catalogue.get("TD0.1")
    assert td01.scope is Scope.CROSS_CUTTING and td01.request_action is None


def test_patient_scoped_calls_require_the_resource_id(catalogue: Catalogue) -> None:
    assert RESOURCE_ID in catalogue.get("TD3.2").vihf_required
    assert RESOURCE_ID not in catalogue.get("TD0.4").vihf_required
    for transaction in catalogue.supported():
        assert set(catalogue.vihf_common) <= set(transaction.vihf_required)
        assert "Ressource_URN" in transaction.vihf_required


def test_functional_rights(catalogue: Catalogue) -> None:
    # §10.3: TD0.5 only in régulation; TD1.6 only normal + direct; TD2.2 only CPE.
    td05 = catalogue.get("TD0.5")
    assert td05.allows_access_mode(AccessMode.CENTRE_15)
    assert not td05.allows_access_mode(AccessMode.NORMAL)
    td16 = catalogue.get("TD1.6")
    assert td16.auth_modes == {AuthMode.DIRECT_CPS}
    assert not td16.allows_access_mode(AccessMode.BRIS_DE_GLACE)
    assert catalogue.get("TD2.2").auth_modes == {AuthMode.DIRECT_CPE}
    assert not catalogue.get("TD2.1").allows_auth_mode(AuthMode.DIRECT_CPE)
    assert not catalogue.get("TD3.2").allows_auth_mode(AuthMode.INDIRECT)
    # No restriction known: every mode passes.
    assert catalogue.get("TD0.2").allows_auth_mode(AuthMode.INDIRECT)


def test_every_fact_is_sourced(catalogue: Catalogue) -> None:
    for transaction in catalogue.transactions:
        assert "td" in transaction.sources, transaction.id
        if transaction.supported:
            assert "request_action" in transaction.sources, transaction.id
        for fact in transaction.sources.values():
            assert fact.certainties and fact.citation
    td03 = catalogue.get("TD0.3-declare")
    assert Certainty.GIE_PACKAGE in td03.sources["idempotent"].certainties


def test_supported_entries_are_complete(catalogue: Catalogue) -> None:
    for transaction in catalogue.supported():
        assert transaction.service is not None
        assert transaction.request_action and transaction.response_action
        assert transaction.request_root and transaction.response_roots


# --- facts checked against the specifications -------------------------------------------------


def _wsdl_actions(spec_store: Path) -> set[str]:
    actions: set[str] = set()
    for wsdl in (spec_store / "ihe-iti" / "wsdl").glob("*.wsdl"):
        for element in parse_xml_file(wsdl).iter():
            for name, value in element.attrib.items():
                if name.endswith("}Action") or name in ("Action", "soapAction"):
                    actions.add(value)
    return actions


def test_ihe_actions_match_the_ihe_wsdls(catalogue: Catalogue, spec_store: Path) -> None:
    published = _wsdl_actions(spec_store)
    for td in ("TD2.1", "TD3.1", "TD3.2"):
        transaction = catalogue.get(td)
        assert transaction.request_action in published, td
        assert transaction.response_action in published, td
    # PDQv3: the WSDL soapAction form is the accepted alternate (§10.1).
    assert set(catalogue.get("TD0.5").alternate_request_actions) <= published


def _global_elements(folder: Path) -> set[str]:
    elements: set[str] = set()
    for path in folder.rglob("*.xsd"):
        root = parse_xml_file(path)
        namespace = root.get("targetNamespace", "")
        declared = root.iterfind(f"{{{XS}}}element")
        elements.update(f"{{{namespace}}}{e.get('name')}" for e in declared)
    return elements


def test_every_supported_root_has_a_schema(catalogue: Catalogue, spec_store: Path) -> None:
    declared = _global_elements(REPO_ROOT / "specs" / "dmp" / "schemas")
    declared |= _global_elements(spec_store / "ihe-iti" / "schema")
    for transaction in catalogue.supported():
        for root in (transaction.request_root, *transaction.response_roots):
            assert root in declared, f"{transaction.id}: no schema declares {root}"


def _reference_text() -> str:
    if not REFERENCE.is_file():
        pytest.skip(f"{REFERENCE} is not beside the checkout")
    return REFERENCE.read_text(encoding="utf-8")


def test_response_actions_of_the_reference(catalogue: Catalogue) -> None:
    text = _reference_text()
    section = text.split("Response WS-Addressing Actions seen:", 1)[1]
    section = section.split("Request\nActions", 1)[0]
    seen = set(re.findall(r"`((?:urn:)[^`…]+)`", section))
    assert len(seen) >= 9
    catalogued = {a for t in catalogue.transactions for a in t.response_actions}
    assert seen <= catalogued, seen - catalogued


def test_reason_codes_of_the_reference(catalogue: Catalogue) -> None:
    text = _reference_text()
    for code in ("TEST_EXST", "CNSLT_DATA", "CREA_RD", "REAC", "MODIF_DATA", "FERM"):
        assert f"`{code}`" in text or f"({code})" in text, code
    catalogued = {t.reason_code for t in catalogue.transactions if t.reason_code}
    assert catalogued == {"TEST_EXST", "CNSLT_DATA", "CREA_RD", "REAC", "MODIF_DATA", "FERM"}
    assert "1.2.250.1.213.1.1.4.11" in text
    assert catalogue.reason_code_system == "1.2.250.1.213.1.1.4.11"


def test_service_base_path_matches_the_reference_urls(catalogue: Catalogue) -> None:
    text = _reference_text()
    assert f"{catalogue.base_path}/<service>" in text


# --- a malformed catalogue is refused -----------------------------------------------------------


def _raw() -> dict[str, Any]:
    return tomllib.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))


def _dump(data: dict[str, Any], path: Path) -> Path:
    """Write ``data`` back as TOML (enough of TOML for the catalogue's shapes)."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(value(item) for item in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{value(k)} = {value(x)}" for k, x in v.items()) + "}"
        raise TypeError(v)

    lines = [f"{k} = {value(v)}" for k, v in data.items() if not isinstance(v, dict | list)]
    for key, table in data.items():
        if isinstance(table, dict):
            lines.append(f"[{key}]")
            lines += [f"{value(k)} = {value(v)}" for k, v in table.items()]
    for entry in data["transaction"]:
        lines.append("[[transaction]]")
        lines += [f"{k} = {value(v)}" for k, v in entry.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _entry(data: dict[str, Any], tid: str) -> dict[str, Any]:
    return next(e for e in data["transaction"] if e["id"] == tid)


def test_the_dump_helper_round_trips(tmp_path: Path) -> None:
    copied = load_catalogue(_dump(_raw(), tmp_path / "same.toml"))
    assert copied.transactions == load_catalogue().transactions
    assert copied.vihf_conditional == load_catalogue().vihf_conditional


def test_duplicate_action_is_refused(tmp_path: Path) -> None:
    data = _raw()
    twin = dict(_entry(data, "TD3.1"), id="TD3.9", name="search_again")
    twin["sources"] = dict(twin["sources"])
    data["transaction"].append(twin)
    with pytest.raises(CatalogueFormatError, match="duplicate action") as caught:
        load_catalogue(_dump(data, tmp_path / "dup.toml"))
    assert caught.value.entry == "TD3.9"


def test_shared_action_without_discriminator_is_refused(tmp_path: Path) -> None:
    data = _raw()
    del _entry(data, "TD1.3a")["reason_code"]
    _entry(data, "TD1.3a")["reason_code"] = "TEST_EXST"
    with pytest.raises(CatalogueFormatError, match=re.escape("TD0.2 has it too")) as caught:
        load_catalogue(_dump(data, tmp_path / "shared.toml"))
    assert caught.value.entry == "TD1.3a"


def test_unknown_service_is_refused(tmp_path: Path) -> None:
    data = _raw()
    _entry(data, "TD3.2")["service"] = "documents"
    with pytest.raises(CatalogueFormatError, match="service 'documents'") as caught:
        load_catalogue(_dump(data, tmp_path / "service.toml"))
    assert caught.value.entry == "TD3.2"


@pytest.mark.parametrize(
    ("tid", "change", "message"),
    [
        ("TD3.1", {"request_action": None}, "needs: request_action"),
        ("TD0.9", {"scope_reason": None}, "needs a scope_reason"),
        ("TD0.2", {"name": "TestExistence"}, "snake_case"),
        ("TD0.2", {"idempotent": "yes"}, "true or false"),
        ("TD0.2", {"mtom_request": "sometimes"}, "mtom_request"),
        ("TD0.2", {"auth_modes": ["telepathy"]}, "auth_modes"),
        ("TD0.2", {"response_roots": ["PRPA_IN201308UV02"]}, "not {ns}local"),
        ("TD0.2", {"retries": 3}, "unknown field"),
        ("TD0.2", {"sources": {"td": "REFERENCE §10.1"}}, "certainty tag"),
        ("TD0.2", {"sources": {"request_action": "[X] §1.3"}}, "TD number"),
        ("TD0.2", {"sources": {"td": "[I]"}}, "must cite"),
        ("TD1.1", {"name": "test_existence"}, "duplicate name"),
        ("TD1.1", {"id": "TD0.2"}, "duplicate id"),
    ],
)
def test_malformed_entry_is_refused_and_named(
    tmp_path: Path, tid: str, change: dict[str, Any], message: str
) -> None:
    data = _raw()
    entry = _entry(data, tid)
    for key, new in change.items():
        if new is None:
            del entry[key]
        else:
            entry[key] = new
    with pytest.raises(CatalogueFormatError, match=re.escape(message)) as caught:
        load_catalogue(_dump(data, tmp_path / "broken.toml"))
    assert caught.value.entry == entry["id"]
    assert entry["id"] in str(caught.value)


def test_not_toml_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[[transaction]\nid = ", encoding="utf-8")
    with pytest.raises(CatalogueFormatError, match="not valid UTF-8 TOML"):
        load_catalogue(broken)
