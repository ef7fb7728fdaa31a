"""The reconstructed DMP schemas of ``specs/dmp/schemas``.

They sit in the spec store beside the public files (``<store>/dmp/schemas`` next to
``<store>/ihe-iti``); the tests build such a store in a temporary folder, check that every
schema loads offline, that the hand-written DMP messages of ``tests/fixtures/dmp`` (built from
REFERENCE §1.3 and §10) are valid, and that broken ones are not.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lxml import etree

from dmpkit.catalogue import load_catalogue
from dmpkit.xmlparse import parse_xml_file

REPO_ROOT = Path(__file__).resolve().parents[1]
PROJECT_SCHEMAS = REPO_ROOT / "specs" / "dmp" / "schemas"
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "dmp"
XS = "http://www.w3.org/2001/XMLSchema"
HL7 = "urn:hl7-org:v3"
HABILITATIONS = "urn:si-dmp-habilitations"
PATIENTS = "urn:si-dmp-patients"
NS = {"xs": XS, "hl7": HL7, "hab": HABILITATIONS, "pat": PATIENTS}
ALL_SCHEMAS = sorted(PROJECT_SCHEMAS.rglob("*.xsd"))
ALL_FIXTURES = sorted(FIXTURES.glob("*.xml"))
INTERACTIONS = (
    "PRPA_IN201307UV02", "PRPA_IN201308UV02", "PRPA_IN201311UV02", "PRPA_IN201312UV02",
    "PRPA_IN201313UV02", "PRPA_IN201314UV02", "PRPA_IN201315UV02", "PRPA_IN201316UV02",
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, spec_store: Path) -> Path:
    """A spec store holding the public IHE tree and this checkout's DMP schemas."""
    root = tmp_path_factory.mktemp("store")
    (root / "dmp").mkdir()
    os.symlink(spec_store / "ihe-iti", root / "ihe-iti", target_is_directory=True)
    os.symlink(PROJECT_SCHEMAS, root / "dmp" / "schemas", target_is_directory=True)
    return root


def _parse_schema_document(path: Path) -> etree._ElementTree:
    tree = parse_xml_file(path).getroottree()
    # parse_xml works on bytes: give the tree its location so relative includes resolve.
    tree.docinfo.URL = str(path)
    return tree


@functools.cache
def _locations(path: Path) -> tuple[str, ...]:
    references = parse_xml_file(path).iterfind(".//xs:*[@schemaLocation]", NS)
    return tuple(reference.get("schemaLocation", "") for reference in references)


def _local_closure(start: Path) -> Iterator[Path]:
    """Every schema document reachable from ``start``; fails on anything not a local file.

    This is the offline guard: libxml2 loads includes itself, so every location is checked
    to be relative and present before the schema is compiled.
    """
    pending, seen = [start.absolute()], set()
    while pending:
        path = Path(os.path.normpath(pending.pop()))
        if path in seen:
            continue
        seen.add(path)
        yield path
        for location in _locations(path):
            assert "://" not in location and not location.startswith("/"), (
                f"{path.name} refers to {location!r}: only relative local locations are allowed"
            )
            # libxml2 resolves '..' lexically, as normpath does (the store may hold symlinks).
            target = Path(os.path.normpath(path.parent / location))
            assert target.is_file(), f"{path.name} refers to missing {location!r}"
            pending.append(target)


_compiled: dict[Path, etree.XMLSchema] = {}


@pytest.fixture(scope="module")
def schema_for(store: Path) -> Callable[[Path], etree.XMLSchema]:
    """Compile (once) the schema of a file of ``specs/dmp/schemas``, inside the temp store."""

    def compile_schema(project_file: Path) -> etree.XMLSchema:
        in_store = store / "dmp" / "schemas" / project_file.relative_to(PROJECT_SCHEMAS)
        if in_store not in _compiled:
            for _ in _local_closure(in_store):
                pass
            _compiled[in_store] = etree.XMLSchema(_parse_schema_document(in_store))
        return _compiled[in_store]

    return compile_schema


def _schema_file_of(instance: etree._Element) -> Path:
    namespace, local = instance.tag[1:].split("}")
    return {
        HL7: PROJECT_SCHEMAS / "hl7v3" / f"{local}.xsd",
        HABILITATIONS: PROJECT_SCHEMAS / "dmp" / "si-dmp-habilitations.xsd",
        PATIENTS: PROJECT_SCHEMAS / "dmp" / "si-dmp-patients.xsd",
    }[namespace]


# --- the schema files themselves -----------------------------------------------------------


def test_the_eight_interactions_and_the_missing_control_act_are_written() -> None:
    written = {p.stem for p in (PROJECT_SCHEMAS / "hl7v3").glob("*.xsd")}
    assert written == {*INTERACTIONS, "MFMI_MT700721UV01"}
    proprietary = {p.name for p in (PROJECT_SCHEMAS / "dmp").glob("*.xsd")}
    assert proprietary == {"si-dmp-habilitations.xsd", "si-dmp-patients.xsd"}


def test_no_reconstruction_shadows_a_public_file(spec_store: Path) -> None:
    public = spec_store / "ihe-iti" / "schema" / "HL7V3" / "NE2008" / "multicacheschemas"
    ours = (PROJECT_SCHEMAS / "hl7v3").glob("*.xsd")
    clashes = [p.name for p in ours if (public / p.name).exists()]
    assert clashes == []


@pytest.mark.parametrize("path", ALL_SCHEMAS, ids=lambda p: p.name)
def test_header_says_it_is_an_unverified_reconstruction(path: Path) -> None:
    header = path.read_text(encoding="utf-8").split("<xs:schema", 1)[0]
    assert "reconstruction" in header
    assert "Not verified against the real SI DMP" in header
    assert "official DMP integration package" in header
    assert "REFERENCE" in header and "section" in header


@pytest.mark.parametrize("path", ALL_SCHEMAS, ids=lambda p: p.name)
def test_schema_compiles_offline(
    path: Path, schema_for: Callable[[Path], etree.XMLSchema]
) -> None:
    schema = schema_for(path)
    assert isinstance(schema, etree.XMLSchema)


def test_reconstructions_compile_together_with_the_public_interactions(
    store: Path, spec_store: Path
) -> None:
    # codegen compiles every HL7 v3 interaction in one run: no type may be declared twice.
    public = store / "ihe-iti" / "schema" / "HL7V3" / "NE2008" / "multicacheschemas"
    includes = [*sorted(public.glob("PRPA_IN*.xsd")), *(
        store / "dmp" / "schemas" / "hl7v3" / f"{name}.xsd" for name in INTERACTIONS
    )]
    wrapper = store / "all-hl7v3.xsd"
    body = "".join(
        f'<xs:include schemaLocation="{p.relative_to(store).as_posix()}"/>' for p in includes
    )
    wrapper.write_text(
        f'<xs:schema xmlns:xs="{XS}" targetNamespace="{HL7}">{body}</xs:schema>',
        encoding="utf-8",
    )
    schema = etree.XMLSchema(_parse_schema_document(wrapper))
    request = parse_xml_file(FIXTURES / "td02_PRPA_IN201307UV02.xml")
    assert schema.validate(request.getroottree()), schema.error_log


def _public_hl7_element_names(spec_store: Path) -> set[str]:
    hl7 = spec_store / "ihe-iti" / "schema" / "HL7V3" / "NE2008"
    names: set[str] = set()
    for path in hl7.rglob("*.xsd"):
        names.update(e.get("name", "") for e in parse_xml_file(path).iterfind(".//xs:element", NS))
    return names


def test_hl7_reconstructions_use_only_standard_element_names(spec_store: Path) -> None:
    # No DMP-only element may be invented in urn:hl7-org:v3.
    known = _public_hl7_element_names(spec_store)
    for path in (PROJECT_SCHEMAS / "hl7v3").glob("*.xsd"):
        root = parse_xml_file(path)
        assert root.get("targetNamespace") == HL7
        declared = {e.get("name") for e in root.iterfind(".//xs:element", NS)}
        invented = declared - known - set(INTERACTIONS)
        assert invented == set(), f"{path.name} declares non-standard elements {invented}"
        top = {e.get("name") for e in root.iterfind("xs:element", NS)}
        assert top == ({path.stem} if path.stem in INTERACTIONS else set())


@pytest.mark.parametrize(
    "path", sorted((PROJECT_SCHEMAS / "dmp").glob("*.xsd")), ids=lambda p: p.name
)
def test_every_proprietary_type_says_where_it_comes_from(path: Path) -> None:
    root = parse_xml_file(path)
    types = root.iterfind("xs:complexType", NS), root.iterfind("xs:simpleType", NS)
    for declared in (t for group in types for t in group):
        text = " ".join(declared.xpath("xs:annotation/xs:documentation//text()", namespaces=NS))
        assert any(tag in text for tag in ("[C*]", "[X]", "[I]")), declared.get("name")
    assert "[I] inferred" in path.read_text(encoding="utf-8")


# --- DMP messages built from the reference -------------------------------------------------


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.name)
def test_reference_message_is_valid(
    path: Path, schema_for: Callable[[Path], etree.XMLSchema]
) -> None:
    instance = parse_xml_file(path)
    schema = schema_for(_schema_file_of(instance))
    assert schema.validate(instance.getroottree()), schema.error_log


def _fixture(name: str) -> etree._Element:
    return parse_xml_file(FIXTURES / name)


def test_td02_query_carries_the_reference_facts() -> None:
    query = _fixture("td02_PRPA_IN201307UV02.xml")
    catalogue = load_catalogue()
    td02 = catalogue.get("TD0.2")
    assert query.tag == td02.request_root
    reason = query.find("hl7:controlActProcess/hl7:reasonCode", NS)
    assert reason is not None
    assert (reason.get("code"), reason.get("codeSystem")) == (
        td02.reason_code, catalogue.reason_code_system
    )
    ins = query.find(".//hl7:parameterList/hl7:patientIdentifier/hl7:value", NS)
    assert ins is not None and ins.get("root") == "1.2.250.1.213.1.4.10"
    assert query.findtext(".//hl7:patientIdentifier/hl7:semanticsText", namespaces=NS) == (
        "Patient.id"
    )
    receiver = query.find("hl7:receiver/hl7:device/hl7:id", NS)
    assert receiver is not None and receiver.get("root") == "1.2.250.1.213.4.1.1.1"


def test_td13a_query_is_told_from_td02_by_its_reason_code() -> None:
    query = _fixture("td13a_PRPA_IN201307UV02.xml")
    catalogue = load_catalogue()
    reason = query.find("hl7:controlActProcess/hl7:reasonCode", NS)
    assert reason is not None
    action = f"urn:hl7-org:v3:{etree.QName(query).localname}"
    resolved = catalogue.resolve("patients", action, reason_code=reason.get("code"))
    assert resolved.id == "TD1.3a"


def test_td02_answer_carries_authorisation_and_status() -> None:
    answer = _fixture("td02_PRPA_IN201308UV02.xml")
    assert answer.tag in load_catalogue().get("TD0.2").response_roots
    keywords = [k.get("code") for k in answer.iterfind("hl7:attentionLine/hl7:keyWordText", NS)]
    assert keywords == ["AUTORISATION", "STATUT_MT"]
    assert answer.findtext(".//hl7:queryAck/hl7:queryResponseCode", namespaces=NS) is not None
    code = answer.find(".//hl7:queryAck/hl7:queryResponseCode", NS)
    assert code is not None and code.get("code") == "OK"
    ids = [i.get("root") for i in answer.iterfind(".//hl7:patient/hl7:id", NS)]
    assert ids == ["1.2.250.1.213.1.4.2", "1.2.250.1.213.1.4.10"]


def test_td11_creation_carries_consent_and_oppositions() -> None:
    creation = _fixture("td11_PRPA_IN201311UV02.xml")
    td11 = load_catalogue().get("TD1.1")
    assert creation.tag == td11.request_root
    reason = creation.find("hl7:controlActProcess/hl7:reasonCode", NS)
    assert reason is not None and reason.get("code") == td11.reason_code == "CREA_RD"
    observations = {
        o.xpath("string(hl7:code/@code)", namespaces=NS): o.xpath(
            "string(hl7:value/@value)", namespaces=NS
        )
        for o in creation.iterfind(".//hl7:subjectOf/hl7:administrativeObservation", NS)
    }
    assert observations["CONSENTEMENT_OUVERTURE_DMP"] == "true"
    assert {"OPPOSITION_BRIS_DE_GLACE", "OPPOSITION_ACCES_URGENCE"} <= observations.keys()


@pytest.mark.parametrize(
    ("fixture", "td", "patient_status"),
    [("td14_PRPA_IN201314UV02.xml", "TD1.4", "terminated"),
     ("td12_PRPA_IN201314UV02.xml", "TD1.2", "active"),
     ("td13b_PRPA_IN201314UV02.xml", "TD1.3b", "active")],
)
def test_revise_requests_carry_their_reason_code(
    fixture: str, td: str, patient_status: str
) -> None:
    request = _fixture(fixture)
    transaction = load_catalogue().get(td)
    assert request.tag == transaction.request_root
    reason = request.find("hl7:controlActProcess/hl7:reasonCode", NS)
    assert reason is not None and reason.get("code") == transaction.reason_code
    status = request.find(".//hl7:patient/hl7:statusCode", NS)
    assert status is not None and status.get("code") == patient_status


def test_td14_closure_gives_its_reason() -> None:
    closure = _fixture("td14_PRPA_IN201314UV02.xml")
    issue = closure.find("hl7:controlActProcess/hl7:reasonOf/hl7:detectedIssueEvent", NS)
    assert issue is not None and issue.get("classCode") == "ALRT"
    code = issue.find("hl7:code", NS)
    assert code is not None
    assert (code.get("code"), code.get("codeSystem")) == (
        "FERMETURE_DEMANDE_PATIENT", "1.2.250.1.213.4.1.2.4"
    )


def test_td11_rejection_says_dmp_found() -> None:
    rejection = _fixture("td11_PRPA_IN201313UV02.xml")
    assert rejection.tag in load_catalogue().get("TD1.1").response_roots
    detail = rejection.find("hl7:acknowledgement/hl7:acknowledgementDetail/hl7:code", NS)
    assert detail is not None and detail.get("code") == "DMPFound"


def test_td03_request_holds_only_the_action() -> None:
    request = _fixture("td03_setAuthorization.xml")
    assert request.tag == load_catalogue().get("TD0.3-declare").request_root
    assert [child.tag for child in request] == [f"{{{HABILITATIONS}}}action"]
    assert request.findtext("hab:action", namespaces=NS) == "AJOUT"


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.name)
def test_every_message_root_is_in_the_catalogue(path: Path) -> None:
    root_tag = parse_xml_file(path).tag
    catalogue = load_catalogue()
    roots = {t.request_root for t in catalogue.transactions}
    roots.update(r for t in catalogue.transactions for r in t.response_roots)
    assert root_tag in roots


# --- broken messages -------------------------------------------------------------------------


def _remove(xpath: str) -> Callable[[etree._Element], None]:
    def mutate(root: etree._Element) -> None:
        found = root.xpath(xpath, namespaces=NS)
        assert found, f"{xpath} selects nothing"
        for node in found:
            node.getparent().remove(node)

    return mutate


def _set_text(xpath: str, value: str) -> Callable[[etree._Element], None]:
    def mutate(root: etree._Element) -> None:
        found = root.xpath(xpath, namespaces=NS)
        assert found, f"{xpath} selects nothing"
        found[0].text = value

    return mutate


def _set_attribute(xpath: str, name: str, value: str) -> Callable[[etree._Element], None]:
    def mutate(root: etree._Element) -> None:
        found = root.xpath(xpath, namespaces=NS)
        assert found, f"{xpath} selects nothing"
        found[0].set(name, value)

    return mutate


def _add_dmp_only_element(root: etree._Element) -> None:
    control_act = root.find("hl7:controlActProcess", NS)
    assert control_act is not None
    etree.SubElement(control_act, f"{{{HL7}}}dmpStatus").text = "ACTIVE"


BROKEN = {
    "307 without interactionId": ("td02_PRPA_IN201307UV02.xml", _remove("hl7:interactionId")),
    "307 without semanticsText": (
        "td02_PRPA_IN201307UV02.xml", _remove(".//hl7:patientIdentifier/hl7:semanticsText")
    ),
    "307 with a DMP-only element": ("td02_PRPA_IN201307UV02.xml", _add_dmp_only_element),
    "308 without queryAck": ("td02_PRPA_IN201308UV02.xml", _remove(".//hl7:queryAck")),
    "311 without registrationRequest statusCode": (
        "td11_PRPA_IN201311UV02.xml", _remove(".//hl7:registrationRequest/hl7:statusCode")
    ),
    "311 registration as an event": (
        "td11_PRPA_IN201311UV02.xml",
        _set_attribute(".//hl7:registrationRequest", "moodCode", "EVN"),
    ),
    "311 without a subject": (
        "td11_PRPA_IN201311UV02.xml", _remove(".//hl7:controlActProcess/hl7:subject")
    ),
    "313 acknowledgement without typeCode": (
        "td11_PRPA_IN201313UV02.xml", _remove("hl7:acknowledgement/hl7:typeCode")
    ),
    "314 detectedIssueEvent as an order": (
        "td14_PRPA_IN201314UV02.xml", _set_attribute(".//hl7:detectedIssueEvent", "moodCode", "RQO")
    ),
    "setAuthorization without action": ("td03_setAuthorization.xml", _remove("hab:action")),
    "setAuthorization bad action": (
        "td03_setAuthorization.xml", _set_text("hab:action", "AJOUTER")
    ),
    "setAuthorizationResponse without status": (
        "td03_setAuthorizationResponse.xml", _remove("hab:status")
    ),
    "listAuthorizationByPatient bad mode": (
        "td16_listAuthorizationByPatient.xml", _set_text("hab:mode", "TOUS")
    ),
    "patientList bad date format": (
        "td04_patientList.xml", _set_text("pat:startDate", "2026-01-01T00:00:00")
    ),
    "patientList bad dateType": (
        "td04_patientList.xml", _set_text("pat:dateType", "LASTAUTHORIZATION")
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_message_is_refused(
    case: str, schema_for: Callable[[Path], etree.XMLSchema]
) -> None:
    fixture, mutate = BROKEN[case]
    original = _fixture(fixture)
    schema = schema_for(_schema_file_of(original))
    assert schema.validate(original.getroottree()), schema.error_log
    broken = copy.deepcopy(original)
    mutate(broken)
    assert not schema.validate(broken.getroottree())
