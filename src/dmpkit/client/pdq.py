"""TD0.5: patient search without INS, IHE PDQv3 ITI-47 (PRPA_IN201305UV02 → 201306UV02).

Only allowed in régulation mode (centre 15, REFERENCE §10.3): the client sends the access mode
the caller chooses, the SI DMP enforces the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from dmpkit import testmode
from dmpkit.catalogue import Catalogue
from dmpkit.client._core import Call, Plan, Reply, single
from dmpkit.client.errors import DmpProtocolError, DmpRejectedError
from dmpkit.client.patients import HL7, build_message
from dmpkit.vihf import PurposeOfUse, VihfClaims

__all__ = ["PatientCandidate", "PatientSearch", "decode_candidates", "search_message",
           "search_patients"]

_NS = {"h": HL7}


@dataclass(frozen=True, slots=True)
class PatientSearch:
    """The traits searched on (Softin-style criteria, REFERENCE §1.3); give at least the name.

    Attributes:
        family: nom (de naissance ou d'usage).
        given: prénom.
        gender: ``F``, ``M`` or ``U``.
        birth_date: ``YYYYMMDD``.
        postal_code: code postal.
        city: ville.
    """

    family: str
    given: str | None = None
    gender: str | None = None
    birth_date: str | None = None
    postal_code: str | None = None
    city: str | None = None


@dataclass(frozen=True, slots=True)
class PatientCandidate:
    """One patient found: identifiers and traits."""

    ids: tuple[tuple[str, str], ...]
    family: str | None
    given: str | None
    gender: str | None
    birth_date: str | None

    @property
    def ins(self) -> str | None:
        """The INS matricule (the id under an INS OID), when present."""
        for root, extension in self.ids:
            if root.startswith("1.2.250.1.213.1.4.") and root != "1.2.250.1.213.1.4.2":
                return extension
        return None


def _el(parent: etree._Element, local: str, text: str | None = None, **attrs: str
        ) -> etree._Element:
    element = etree.SubElement(parent, f"{{{HL7}}}{local}", attrs)
    if text is not None:
        element.text = text
    return element


def _parameter(parent: etree._Element, local: str, semantics: str) -> etree._Element:
    parameter = _el(parent, local)
    value = _el(parameter, "value")
    _el(parameter, "semanticsText", semantics)
    return value


def search_message(catalogue: Catalogue, claims: VihfClaims, search: PatientSearch
                   ) -> etree._Element:
    """The PRPA_IN201305UV02 query by traits."""
    root = build_message("PRPA_IN201305UV02", claims)
    act = _el(root, "controlActProcess", classCode="CACT", moodCode="EVN")
    _el(act, "code", code="PRPA_TE201305UV02", codeSystem=catalogue.interaction_id_root)
    query = _el(act, "queryByParameter")
    _el(query, "queryId", root=str(testmode.new_uuid()))
    _el(query, "statusCode", code="new")
    _el(query, "responseModalityCode", code="R")
    _el(query, "responsePriorityCode", code="I")
    parameters = _el(query, "parameterList")
    if search.gender:
        _parameter(parameters, "livingSubjectAdministrativeGender",
                   "LivingSubject.administrativeGender").set("code", search.gender)
    if search.birth_date:
        _parameter(parameters, "livingSubjectBirthTime", "LivingSubject.birthTime").set(
            "value", search.birth_date)
    name = _parameter(parameters, "livingSubjectName", "LivingSubject.name")
    _el(name, "family", search.family)
    if search.given:
        _el(name, "given", search.given)
    if search.postal_code or search.city:
        address = _parameter(parameters, "patientAddress", "Patient.addr")
        if search.city:
            _el(address, "city", search.city)
        if search.postal_code:
            _el(address, "postalCode", search.postal_code)
    return root


def _code(element: etree._Element, path: str) -> str:
    found = element.find(path, _NS)
    return "" if found is None else found.get("code", "")


def decode_candidates(reply: Reply) -> list[PatientCandidate]:
    """The patients of a PRPA_IN201306UV02 (an empty list for queryResponseCode NF).

    Raises:
        DmpRejectedError: AE/AR, or queryResponseCode QE/AE, with the detail code and text.
    """
    payload = reply.payload
    ack_code = _code(payload, "h:acknowledgement/h:typeCode")
    response_code = _code(payload, "h:controlActProcess/h:queryAck/h:queryResponseCode")
    if ack_code.upper() not in ("AA", "CA") or response_code.upper() in ("QE", "AE"):
        code = _code(payload, "h:acknowledgement/h:acknowledgementDetail/h:code")
        text = payload.findtext("h:acknowledgement/h:acknowledgementDetail/h:text", "", _NS)
        raise DmpRejectedError(reply.transaction.id, code or response_code or ack_code,
                               (text or "").strip(), acknowledgement=ack_code,
                               interaction="PRPA_IN201306UV02")
    if not response_code:
        raise DmpProtocolError(reply.transaction.id, "dmpkit:MalformedAnswer",
                               "PRPA_IN201306UV02 without queryAck/queryResponseCode")
    candidates = []
    for patient in payload.iterfind(
            "h:controlActProcess/h:subject/h:registrationEvent/h:subject1/h:patient", _NS):
        person = patient.find("h:patientPerson", _NS)
        gender = birth = None
        family = given = None
        if person is not None:
            family = person.findtext("h:name/h:family", None, _NS)
            given = person.findtext("h:name/h:given", None, _NS)
            gender_element = person.find("h:administrativeGenderCode", _NS)
            gender = None if gender_element is None else gender_element.get("code")
            birth_element = person.find("h:birthTime", _NS)
            birth = None if birth_element is None else birth_element.get("value")
        candidates.append(PatientCandidate(
            ids=tuple((i.get("root", ""), i.get("extension", ""))
                      for i in patient.findall("h:id", _NS)),
            family=family, given=given, gender=gender, birth_date=birth))
    return candidates


def search_patients(catalogue: Catalogue, claims: VihfClaims, search: PatientSearch,
                    access_mode: PurposeOfUse | None = PurposeOfUse.CENTRE_15
                    ) -> Plan[list[PatientCandidate]]:
    """TD0.5 (ITI-47 PDQv3 findCandidatesQuery)."""
    body = search_message(catalogue, claims, search)
    return single(Call(catalogue.get("TD0.5"), body, None, access_mode), decode_candidates)
