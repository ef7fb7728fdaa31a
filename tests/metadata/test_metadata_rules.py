"""Every rule of specs/dmp/metadata-rules.toml fails on a submission broken for it, and only
the conformant submission built from REFERENCE §3 passes them all."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from metadata_samples import CONTENT, dmp_submission

from dmpkit.findings import Severity, has_errors
from dmpkit.identifiers import Cwe, Cx, Hd, Xcn, Xon
from dmpkit.metadata import Association, CodedValue, DocumentEntry, XdsMetadata
from dmpkit.metadata import ebrim_map as m
from dmpkit.metadata.ebrim import DecodeProblem, decode, encode
from dmpkit.metadata.rules import Rule, load_rules
from dmpkit.metadata.validate import validate

RULES = load_rules()
Mutation = Callable[[XdsMetadata, dict[str, bytes]], list[DecodeProblem] | None]


def _entry(meta: XdsMetadata) -> DocumentEntry:
    return meta.documents[0]


def _ss_set(field: str, value: object) -> Mutation:
    def mutate(meta: XdsMetadata, docs: dict[str, bytes]) -> None:
        assert meta.submission_set is not None
        setattr(meta.submission_set, field, value)
    return mutate


def _de_set(field: str, value: object) -> Mutation:
    def mutate(meta: XdsMetadata, docs: dict[str, bytes]) -> None:
        setattr(_entry(meta), field, value)
    return mutate


def _de_author(field: str, value: object) -> Mutation:
    def mutate(meta: XdsMetadata, docs: dict[str, bytes]) -> None:
        setattr(_entry(meta).authors[0], field, value)
    return mutate


def _ss_author(field: str, value: object) -> Mutation:
    def mutate(meta: XdsMetadata, docs: dict[str, bytes]) -> None:
        assert meta.submission_set is not None
        setattr(meta.submission_set.authors[0], field, value)
    return mutate


def _add_association(association: Association) -> Mutation:
    def mutate(meta: XdsMetadata, docs: dict[str, bytes]) -> None:
        meta.associations.append(association)
    return mutate


def _size_not_integer(meta: XdsMetadata, docs: dict[str, bytes]) -> list[DecodeProblem]:
    # The model holds an int: break the XML, as a foreign message would.
    tree = encode(meta)
    for value in tree.iter("{urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0}Value"):
        if value.getparent().getparent().get("name") == "size":
            value.text = "12kB"
    decoded = decode(tree)
    meta.documents[:] = decoded.metadata.documents
    return decoded.problems


def _second_document_same_unique_id(meta: XdsMetadata, docs: dict[str, bytes]) -> None:
    twin = copy.deepcopy(_entry(meta))
    twin.entry_uuid = "Document02"
    meta.documents.append(twin)
    meta.associations.append(Association("HasMember02", m.HAS_MEMBER, "SubmissionSet01",
                                         "Document02", submission_set_status="Original"))
    docs["Document02"] = CONTENT


def _without_has_member(meta: XdsMetadata, docs: dict[str, bytes]) -> None:
    meta.associations.clear()


def _role_with_four_components(meta: XdsMetadata, docs: dict[str, bytes]) -> list[DecodeProblem]:
    tree = encode(meta)
    for element in tree.iter("{urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0}Slot"):
        if element.get("name") == "authorRole":
            element[0][0].text = "PCP^Médecin traitant^2.16.840.1.113883.5.88^extra"
    decoded = decode(tree)
    meta.documents[:] = decoded.metadata.documents
    return decoded.problems


# Rules whose failing case is not "remove the item" (cardinality rules are broken generically).
SPECIFIC: dict[str, Mutation] = {
    "DMP-SS-UNIQUEID-OID": _ss_set("unique_id", "1.2.250.01.5"),
    "DMP-SS-SOURCEID-OID": _ss_set("source_id", "3670984664"),
    "DMP-SS-PATIENTID-INS": _ss_set("patient_id", Cx("207058575627098", assigning_authority=Hd.iso(
        "1.2.250.1.213.1.4.10"), identifier_type_code="NH")),
    "DMP-SS-SUBMISSIONTIME-FORMAT": _ss_set("submission_time", "202401011300"),
    "DMP-SS-CONTENTTYPECODE-VS": _ss_set("content_type_code",
                                         CodedValue("99", "1.2.250.1.213.2.2")),
    "DMP-DE-UNIQUEID-PLAIN-OID": _de_set("unique_id", "1.2.250.1.999.1^12345"),
    "DMP-DE-PATIENTID-INS": _de_set("patient_id", Cx("207058575627097", assigning_authority=Hd.iso(
        "1.2.250.1.213.1.4.2"), identifier_type_code="NH")),
    "DMP-DE-SOURCEPATIENTID-CX": _de_set("source_patient_id",
                                         Cx("IPP123", identifier_type_code="PI")),
    "DMP-DE-SOURCEPATIENTINFO-PID": _de_set("source_patient_info", ["PID-7|1960", "PID-8|X"]),
    "DMP-DE-CLASSCODE-VS": _de_set("class_code", CodedValue("99", "1.2.250.1.213.1.1.4.1")),
    "DMP-DE-CLASSCODE-FROM-TYPECODE": _de_set("class_code",
                                              CodedValue("11", "1.2.250.1.213.1.1.4.1")),
    "DMP-DE-TYPECODE-VS": _de_set("type_code", CodedValue("11488-5", "2.16.840.1.113883.6.1")),
    "DMP-DE-CONFIDENTIALITYCODE-VS": _de_set("confidentiality_codes",
                                             [CodedValue("N", "1.2.250.1.213.1.1.4.13")]),
    "DMP-DE-FORMATCODE-VS": _de_set("format_code", CodedValue("urn:ihe:iti:xds-sd:pdf:2007",
                                                              "1.3.6.1.4.1.19376.1.2.3")),
    "DMP-DE-HEALTHCAREFACILITYTYPECODE-VS": _de_set("healthcare_facility_type_code",
                                                    CodedValue("SA99", "1.2.250.1.71.4.2.4")),
    "DMP-DE-PRACTICESETTINGCODE-VS": _de_set("practice_setting_code",
                                             CodedValue("HOPITAL", "1.2.250.1.213.1.1.4.9")),
    "DMP-DE-EVENTCODE-CODED": _de_set("event_codes", [CodedValue("CT", "")]),
    "DMP-DE-CREATIONTIME-FORMAT": _de_set("creation_time", "2024-01-01T12:00:00"),
    "DMP-DE-SERVICESTARTTIME-FORMAT": _de_set("service_start_time", "20241301"),
    "DMP-DE-SERVICESTOPTIME-FORMAT": _de_set("service_stop_time", "2024010112+0100"),
    "DMP-DE-SERVICE-ORDER": _de_set("service_stop_time", "20231231"),
    "DMP-DE-LANGUAGECODE-FR": _de_set("language_code", "en-US"),
    "DMP-DE-LEGALAUTHENTICATOR-XCN": _de_set("legal_authenticator", Xcn(
        "899900063480", "MAX", "", assigning_authority=Hd.iso("1.2.250.1.71.4.2.1"),
        name_type_code="D", identifier_type_code="IDNPS")),
    "DMP-DE-MIMETYPE-CDA": _de_set("mime_type", "application/pdf"),
    "DMP-DE-HASH-FORMAT": _de_set("hash", "da39a3ee5e6b4b0d3255bfef95601890afd8070"),
    "DMP-DE-SIZE-FORMAT": _size_not_integer,
    "DMP-DE-HASH-MATCHES": _de_set("hash", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    "DMP-DE-SIZE-MATCHES": _de_set("size", 3),
    "DMP-DE-REFERENCEID-TYPE": _de_set("reference_ids", [Cx("ACC1", identifier_type_code=
                                                            "urn:ihe:iti:xds:2013:uniqueId")]),
    "DMP-DE-STATUS": _de_set("availability_status",
                             "urn:oasis:names:tc:ebxml-regrep:StatusType:Gone"),
    "DMP-DE-AUTHORPERSON-XCN": _de_author("person", Xcn.parse("123^MAX^LIBRE^^^^^^&1.2.3&ISO")),
    "DMP-SS-AUTHORPERSON-XCN": _ss_author("person", Xcn.parse(
        "7123^MAX^LIBRE^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS")),
    "DMP-DE-AUTHORINSTITUTION-XON": _de_author("institutions", [Xon.parse(
        "HOPITAL^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^9123")]),
    "DMP-SS-AUTHORINSTITUTION-XON": _ss_author("institutions", [Xon("Cleveland Clinic")]),
    "DMP-DE-AUTHORROLE-VS": _de_author("roles", [Cwe("Attending")]),
    "DMP-SS-AUTHORROLE-VS": _ss_author("roles", [Cwe("PCP", "", "1.2.250.1.213.1.1.4.2.280")]),
    "DMP-DE-AUTHORSPECIALTY-VS": _de_author("specialties", [Cwe("G15_10/SM99", "",
                                                                "1.2.250.1.213.1.1.4.5")]),
    "DMP-SS-AUTHORSPECIALTY-VS": _ss_author("specialties", [Cwe("Orthopedic")]),
    "XDS-PATIENTID-MATCH": _de_set("patient_id", Cx("277076322082910", assigning_authority=Hd.iso(
        "1.2.250.1.213.1.4.10"), identifier_type_code="NH")),
    "DMP-AUTHORINSTITUTION-SAME": _de_author("institutions", [Xon.parse(
        "CLINIQUE^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^10B0007713")]),
    "XDS-UNIQUEID-DISTINCT": _second_document_same_unique_id,
    "XDS-HASMEMBER": _without_has_member,
    "XDS-ASSOCIATION-TYPE": _add_association(Association(
        "Assoc9", "urn:ihe:iti:2007:AssociationType:COPY", "Document01", "SubmissionSet01")),
    "XDS-ASSOCIATION-RESOLVES": _add_association(Association(
        "Assoc9", m.APND, "Document01", "Document77")),
    "DMP-RPLC-TARGET-ENTRYUUID": _add_association(Association(
        "Rplc01", m.RPLC, "Document01", "1.2.250.1.999.1.1.20231201")),
    "DMP-UPDATE-STATUS": _add_association(Association(
        "Update01", m.UPDATE_AVAILABILITY_STATUS, "SubmissionSet01",
        "urn:uuid:0b9e1b36-3a0a-4cf3-8f5c-4b1c2c9a6f11", original_status=m.APPROVED,
        new_status="urn:oasis:names:tc:ebxml-regrep:StatusType:Removed")),
    "DMP-SUBMISSION-SIGNED": lambda meta, docs: meta.associations.pop() and None,
    "XDS-DOCUMENT-PRESENT": lambda meta, docs: docs.clear(),
    "XDS-DOCUMENT-METADATA-PRESENT": lambda meta, docs: docs.update({"Document09": b"x"}),
    "XDS-METADATA-DECODABLE": _role_with_four_components,
}


def _generic_cardinality(rule: Rule) -> Mutation:
    """Remove the item (min ≥ 1) or give one value too many (max)."""
    carrier = rule.carrier.removesuffix(".author")
    author = rule.carrier.endswith(".author")
    row = m.row("Author" if author else carrier, rule.item)

    def mutate(meta: XdsMetadata, docs: dict[str, bytes]) -> None:
        owner = meta.submission_set if carrier == "SubmissionSet" else meta.documents[0]
        target = owner.authors[0] if author else owner  # type: ignore[union-attr]
        if int(rule.params.get("min", 0)) >= 1:
            setattr(target, row.field, [] if row.multiple else None)
        else:
            extra = int(rule.params["max"]) + 1
            setattr(target, row.field, [f"value{n}" for n in range(extra)])
    return mutate


def _mutation(rule: Rule) -> Mutation:
    if rule.id in SPECIFIC:
        return SPECIFIC[rule.id]
    assert rule.check == "cardinality", f"rule {rule.id} has no failing case in this test"
    return _generic_cardinality(rule)


def test_the_conformant_submission_passes_every_rule(documents: dict[str, bytes]) -> None:
    assert validate(dmp_submission(), documents=documents) == []


def test_every_specific_case_names_a_rule() -> None:
    assert set(SPECIFIC) <= {r.id for r in RULES.rules}


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_fails_on_its_broken_case(rule: Rule, documents: dict[str, bytes]) -> None:
    meta = dmp_submission()
    problems = _mutation(rule)(meta, documents) or []
    findings = validate(meta, documents=documents, problems=problems)
    mine = [f for f in findings if f.rule_id == rule.id]
    assert mine, f"{rule.id} raised nothing; got {[f.rule_id for f in findings]}"
    assert all(f.error_code == rule.error_code for f in mine)
    assert mine[0].severity is rule.severity
    assert mine[0].location and mine[0].allowed


def test_confidentiality_code_above_four_is_refused() -> None:
    meta = dmp_submission()
    codes = [("N", "2.16.840.1.113883.5.25"), ("MASQUE_PS", "1.2.250.1.213.1.1.4.13"),
             ("INVISIBLE_PATIENT", "1.2.250.1.213.1.1.4.13"),
             ("INVISIBLE_REPRESENTANTS_LEGAUX", "1.2.250.1.213.1.1.4.13"),
             ("R", "2.16.840.1.113883.5.25")]
    meta.documents[0].confidentiality_codes = [CodedValue(c, s) for c, s in codes]
    findings = validate(meta)
    assert [f.rule_id for f in findings] == ["DMP-DE-CONFIDENTIALITYCODE-CARD"]
    meta.documents[0].confidentiality_codes.pop()
    assert validate(meta) == []


def test_unknown_type_code_gets_nearest_codes_with_display() -> None:
    meta = dmp_submission()
    meta.documents[0].type_code = CodedValue("11488-5", "2.16.840.1.113883.6.1")
    finding = next(f for f in validate(meta) if f.rule_id == "DMP-DE-TYPECODE-VS")
    assert finding.nearest[0][0] == "11488-4"
    assert finding.nearest[0][1]  # display names come from JDV_J66
    assert "JDV_J66-TypeCode-DMP" in finding.allowed


def test_wrong_coding_scheme_names_the_right_one() -> None:
    meta = dmp_submission()
    meta.documents[0].type_code = CodedValue("11488-4", "LOINC")
    finding = next(f for f in validate(meta) if f.rule_id == "DMP-DE-TYPECODE-VS")
    assert "2.16.840.1.113883.6.1" in finding.allowed


def test_signature_entry_is_exempt_from_language_and_legal_authenticator() -> None:
    meta = dmp_submission()
    entry = meta.documents[0]
    entry.format_code = CodedValue("http://www.w3.org/2000/09/xmldsig#", "URN")
    entry.language_code = "art"
    entry.legal_authenticator = None
    ids = {f.rule_id for f in validate(meta)}
    assert "DMP-DE-LANGUAGECODE-FR" not in ids
    assert "DMP-DE-LEGALAUTHENTICATOR-CARD" not in ids


def test_every_rule_is_documented() -> None:
    for rule in RULES.rules:
        assert rule.certainty in {"C", "X", "I", "NF", "contradiction"}
        assert rule.source and rule.error_code and rule.hint


def test_unknowns_are_recorded() -> None:
    topics = {u.id for u in RULES.unknowns}
    assert {"UNK-ERROR-CODES", "UNK-SIZE-LIMITS", "UNK-SOURCEPATIENTINFO-CARD"} <= topics


def test_patient_id_mismatch_is_the_ihe_code() -> None:
    meta = dmp_submission()
    meta.documents[0].patient_id = Cx("277076322082910", assigning_authority=Hd.iso(
        "1.2.250.1.213.1.4.10"), identifier_type_code="NH")
    findings = validate(meta)
    assert has_errors(findings)
    mismatch = next(f for f in findings if f.rule_id == "XDS-PATIENTID-MATCH")
    assert mismatch.error_code == "XDSPatientIdDoesNotMatch"
    assert mismatch.severity is Severity.ERROR
    assert "ExtrinsicObject[@id='Document01']" in mismatch.location


def test_iti57_delete_is_conformant() -> None:
    # REFERENCE §3.5: delete = UpdateAvailabilityStatus Approved → Deleted, in a submission set.
    meta = dmp_submission()
    meta.documents.clear()
    meta.associations[:] = [
        Association("Update01", m.UPDATE_AVAILABILITY_STATUS, "SubmissionSet01",
                    "urn:uuid:0b9e1b36-3a0a-4cf3-8f5c-4b1c2c9a6f11", original_status=m.APPROVED,
                    new_status=m.DELETED),
        Association("HasMember01", m.HAS_MEMBER, "SubmissionSet01", "Update01",
                    submission_set_status="Original"),
    ]
    assert validate(meta) == []
    decoded = decode(encode(meta))
    assert decoded.metadata == meta and validate(decoded.metadata) == []


def test_replacement_built_with_the_builder_is_conformant(documents: dict[str, bytes]) -> None:
    from dmpkit.metadata.builder import replace

    meta = dmp_submission()
    replace(meta, meta.documents[0], "urn:uuid:0b9e1b36-3a0a-4cf3-8f5c-4b1c2c9a6f11")
    assert validate(meta, documents=documents) == []


def test_add_signature_needs_a_set_and_a_document() -> None:
    from dmpkit.metadata.builder import add_signature

    with pytest.raises(ValueError):
        add_signature(XdsMetadata(), b"x", unique_id="1.2.3")
