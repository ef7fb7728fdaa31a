"""HL7 v3 patient messages of the ``patients`` service: TD0.2, TD1.1, TD1.2, TD1.3a/b, TD1.4.

One interaction serves several TDs, told apart by ``controlActProcess/reasonCode`` (code system
1.2.250.1.213.1.1.4.11): the codes come from the catalogue. Shapes follow REFERENCE §1.3,
§10.1 and §10.2 and the reconstructed schemas of ``specs/dmp/schemas/hl7v3``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from dmpkit import testmode
from dmpkit.catalogue import Catalogue, Transaction
from dmpkit.client._core import Call, Plan, Reply, single
from dmpkit.client.errors import DmpProtocolError, DmpRejectedError
from dmpkit.vihf import InsIdentifier, PurposeOfUse, VihfClaims

__all__ = [
    "Acknowledgement",
    "Address",
    "AdminData",
    "ExistenceResult",
    "PatientRecord",
    "VitaleHolder",
    "build_message",
    "close_dmp",
    "create_dmp",
    "decode_acknowledgement",
    "decode_existence",
    "reactivate_dmp",
    "read_admin_data",
    "test_existence",
    "update_admin_data",
]

HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NS = {"h": HL7}
DMP_DEVICE_OID = "1.2.250.1.213.4.1.1.1"
PS_IDNAT_OID = "1.2.250.1.71.4.2.1"
STRUCTURE_IDNAT_OID = "1.2.250.1.71.4.2.2"
GENDER_OID = "2.16.840.1.113883.5.1"
OBSERVATION_OID = "1.2.250.1.213.4.1.2.3"
CONTACT_OID = "1.2.250.1.213.4.1.2.5"
CLOSURE_REASON_OID = "1.2.250.1.213.4.1.2.4"
_REASON_DISPLAY = {
    "TEST_EXST": "Test d'existence de dossier",
    "CREA_RD": "Création de dossier",
    "MODIF_DATA": "Modification des données de gestion du dossier",
}


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address (``addr``)."""

    street: str = ""
    postal_code: str = ""
    city: str = ""


@dataclass(frozen=True, slots=True)
class VitaleHolder:
    """The carte Vitale holder's traits (``contactParty`` CARTE_SESAM_VITALE)."""

    family: str
    given: str
    birth_date: str


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """The patient's administrative data sent at creation or update (TD1.1, TD1.3b).

    Attributes:
        ins: the INS (matricule and OID).
        birth_family: nom de naissance.
        given: prénom(s).
        gender: ``F``, ``M`` or ``U``.
        birth_date: ``YYYYMMDD``.
        usage_family: nom d'usage, if any.
        prefix: civilité (``MME``, ``M``).
        telecoms: ``(use, url)`` pairs, e.g. ``("MC", "tel:+33600000000")``.
        address: the postal address.
        vitale_holder: the carte Vitale holder, when the card was read.
    """

    ins: InsIdentifier
    birth_family: str
    given: str
    gender: str
    birth_date: str
    usage_family: str | None = None
    prefix: str | None = None
    telecoms: tuple[tuple[str, str], ...] = ()
    address: Address | None = None
    vitale_holder: VitaleHolder | None = None


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """An accepted HL7 v3 request (AA).

    Attributes:
        interaction: the answer's interaction id (``PRPA_IN201312UV02``).
        message_id: the answer's id extension (or root).
    """

    interaction: str
    message_id: str


@dataclass(frozen=True, slots=True)
class AdminData:
    """What the DMP says about a patient and the caller's authorisation (TD0.2, TD1.3a).

    RG_0320: the identity traits returned must not be displayed by the LPS; they are kept for
    checks (e.g. the placeholder usage name ``NON RENSEIGNE``).

    Attributes:
        dmp_status: ``registrationEvent/statusCode`` (``active``…), None when no DMP.
        patient_status: ``patient/statusCode`` (``active``/``terminated``).
        patient_ids: every ``patient/id`` as ``(root, extension)`` (legacy INS-C and INS).
        authorisation: ``VALIDE``, ``EXPIRE``, ``INTERDIT`` or ``NON_EXISTE`` (attentionLine).
        medecin_traitant: the caller is médecin traitant DMP (attentionLine STATUT_MT).
        observations: administrative observations by code (``RATTACHEMENT_ENS``…).
        birth_family: nom de naissance returned. usage_family: nom d'usage (None for the
            placeholder). given: prénom. gender: sex code. birth_date: ``YYYYMMDD``.
    """

    dmp_status: str | None
    patient_status: str | None
    patient_ids: tuple[tuple[str, str], ...]
    authorisation: str | None
    medecin_traitant: bool | None
    observations: dict[str, bool] = field(default_factory=dict)
    birth_family: str | None = None
    usage_family: str | None = None
    given: str | None = None
    gender: str | None = None
    birth_date: str | None = None

    @property
    def attached_to_mon_espace_sante(self) -> bool | None:
        """Whether the DMP is attached to Mon espace santé (observation RATTACHEMENT_ENS)."""
        return self.observations.get("RATTACHEMENT_ENS")


@dataclass(frozen=True, slots=True)
class ExistenceResult:
    """The outcome of the existence test (TD0.2).

    Attributes:
        exists: queryResponseCode ``OK`` (False for ``NF``).
        data: the DMP's answer about the patient and the authorisation (None when not found).
    """

    exists: bool
    data: AdminData | None


# --- building ------------------------------------------------------------------------------


def _el(parent: etree._Element, local: str, text: str | None = None, **attrs: str
        ) -> etree._Element:
    element = etree.SubElement(parent, f"{{{HL7}}}{local}", attrs)
    if text is not None:
        element.text = text
    return element


def _device(parent: etree._Element, kind: str, root: str, extension: str | None,
            software: str | None) -> None:
    device = _el(_el(parent, kind, typeCode="RCV" if kind == "receiver" else "SND"), "device",
                 classCode="DEV", determinerCode="INSTANCE")
    if extension is None:
        _el(device, "id", root=root)
    else:
        _el(device, "id", root=root, extension=extension)
    if software:
        _el(device, "softwareName", software)


def build_message(interaction: str, claims: VihfClaims) -> etree._Element:
    """The HL7 v3 transmission wrapper of a request, up to the sender device."""
    nsmap: dict[Any, str] = {None: HL7, "xsi": XSI}
    root = etree.Element(f"{{{HL7}}}{interaction}", nsmap=nsmap)
    root.set("ITSVersion", "XML_1.0")
    _el(root, "id", root=str(testmode.new_uuid()))
    _el(root, "creationTime", value=testmode.now().strftime("%Y%m%d%H%M%S"))
    _el(root, "interactionId", root="2.16.840.1.113883.1.6", extension=interaction)
    _el(root, "processingCode", code="P")
    _el(root, "processingModeCode", code="T")
    _el(root, "acceptAckCode", code="AL")
    _device(root, "receiver", DMP_DEVICE_OID, None, "DMP")
    _device(root, "sender", STRUCTURE_IDNAT_OID, claims.identifiant_structure, claims.lps_nom)
    return root


def _control_act(root: etree._Element, trigger: str, transaction: Transaction,
                 catalogue: Catalogue) -> etree._Element:
    act = _el(root, "controlActProcess", classCode="CACT", moodCode="EVN")
    _el(act, "code", code=trigger, codeSystem=catalogue.interaction_id_root)
    reason = transaction.reason_code
    if reason is None:
        raise DmpProtocolError(transaction.id, "dmpkit:NotSupported",
                               f"{transaction.id} has no reason code in the catalogue")
    attrs = {"code": reason, "codeSystem": catalogue.reason_code_system}
    if reason in _REASON_DISPLAY:
        attrs["displayName"] = _REASON_DISPLAY[reason]
    _el(act, "reasonCode", **attrs)
    return act


def _query(transaction: Transaction, catalogue: Catalogue, claims: VihfClaims,
           patient: InsIdentifier) -> etree._Element:
    root = build_message("PRPA_IN201307UV02", claims)
    act = _control_act(root, "PRPA_TE201307UV02", transaction, catalogue)
    query = _el(act, "queryByParameter")
    _el(query, "queryId", root=str(testmode.new_uuid()))
    _el(query, "statusCode", code="new")
    identifier = _el(_el(query, "parameterList"), "patientIdentifier")
    _el(identifier, "value", root=patient.oid, extension=patient.matricule)
    _el(identifier, "semanticsText", "Patient.id")
    return root


def _bool_observation(patient: etree._Element, code: str, value: bool,
                      date: str | None = None) -> None:
    observation = _el(_el(patient, "subjectOf", typeCode="SBJ"), "administrativeObservation",
                      classCode="OBS", moodCode="EVN")
    _el(observation, "code", code=code, codeSystem=OBSERVATION_OID)
    if date is not None:
        _el(observation, "effectiveTime", value=date)
    value_element = _el(observation, "value", value="true" if value else "false")
    value_element.set(f"{{{XSI}}}type", "BL")


def _name(parent: etree._Element, family: str, given: str, qualifier: str | None = None
          ) -> None:
    name = _el(parent, "name")
    if qualifier is None:
        _el(name, "family", family)
    else:
        _el(name, "family", family, qualifier=qualifier)
    _el(name, "given", given)


def _person(patient: etree._Element, record: PatientRecord) -> None:
    person = _el(patient, "patientPerson", classCode="PSN", determinerCode="INSTANCE")
    name = _el(person, "name")
    if record.prefix:
        _el(name, "prefix", record.prefix)
    if record.usage_family:
        _el(name, "family", record.usage_family, qualifier="SP")
    _el(name, "family", record.birth_family, qualifier="BR")
    _el(name, "given", record.given)
    _el(person, "administrativeGenderCode", code=record.gender, codeSystem=GENDER_OID)
    _el(person, "birthTime", value=record.birth_date)
    if record.address is not None:
        addr = _el(person, "addr")
        for local, value in (("streetAddressLine", record.address.street),
                             ("postalCode", record.address.postal_code),
                             ("city", record.address.city)):
            if value:
                _el(addr, local, value)
    if record.vitale_holder is not None:
        contact = _el(person, "contactParty", classCode="CON")
        _el(contact, "code", code="CARTE_SESAM_VITALE", codeSystem=CONTACT_OID)
        _el(contact, "telecom", nullFlavor="NI")
        holder = _el(contact, "contactPerson", classCode="PSN", determinerCode="INSTANCE")
        _name(holder, record.vitale_holder.family, record.vitale_holder.given)
        _el(holder, "birthTime", value=record.vitale_holder.birth_date)


def _author(request: etree._Element, claims: VihfClaims) -> None:
    entity = _el(_el(request, "author", typeCode="AUT"), "assignedEntity", classCode="ASSIGNED")
    _el(entity, "id", root=PS_IDNAT_OID, extension=claims.name_id)
    # REFERENCE §1.3: author code "G15_<profession>/<savoir-faire>", e.g. G15_10/SM04.
    codes = [role.code for role in claims.roles[:2]]
    _el(entity, "code", code="G15_" + "/".join(codes))
    family, _, given = claims.subject_id.partition(",")
    person = _el(entity, "assignedPerson", classCode="PSN", determinerCode="INSTANCE")
    _name(person, family.strip(), given.strip() or family.strip())
    organisation = _el(entity, "representedOrganization", classCode="ORG",
                       determinerCode="INSTANCE")
    _organisation_contact(organisation, claims)


def _organisation_contact(organisation: etree._Element, claims: VihfClaims) -> None:
    _el(organisation, "id", root=STRUCTURE_IDNAT_OID, extension=claims.identifiant_structure)
    # The schema wants a contactParty; the VIHF gives no structure telephone: "no information".
    _el(_el(organisation, "contactParty", classCode="CON"), "telecom", nullFlavor="NI")


def _registration(act: etree._Element, status: str, ins: InsIdentifier
                  ) -> tuple[etree._Element, etree._Element]:
    request = _el(_el(act, "subject", typeCode="SUBJ"), "registrationRequest",
                  classCode="REG", moodCode="RQO")
    _el(request, "statusCode", code=status)
    patient = _el(_el(request, "subject1", typeCode="SBJ"), "patient", classCode="PAT")
    _el(patient, "id", root=ins.oid, extension=ins.matricule)
    return request, patient


def _minimal_person(patient: etree._Element, family: str, given: str) -> None:
    person = _el(patient, "patientPerson", classCode="PSN", determinerCode="INSTANCE")
    _name(person, family, given, qualifier="BR")


# --- decoding ------------------------------------------------------------------------------


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path, _NS)
    return None if found is None else (found.text or "")


def _attr(element: etree._Element, path: str, name: str) -> str | None:
    found = element.find(path, _NS)
    return None if found is None else found.get(name)


def _check_acknowledgement(reply: Reply) -> str:
    """The interaction id of an accepted answer; a refusal raises :class:`DmpRejectedError`."""
    payload = reply.payload
    interaction = etree.QName(payload).localname
    ack = _attr(payload, "h:acknowledgement/h:typeCode", "code")
    if ack is None:
        raise DmpProtocolError(reply.transaction.id, "dmpkit:MalformedAnswer",
                               f"{interaction} without acknowledgement/typeCode")
    if ack.upper() not in ("AA", "CA"):
        detail = payload.find("h:acknowledgement/h:acknowledgementDetail", _NS)
        code = _attr(detail, "h:code", "code") if detail is not None else None
        text = _text(detail, "h:text") if detail is not None else None
        raise DmpRejectedError(reply.transaction.id, code or ack, (text or "").strip(),
                               acknowledgement=ack, interaction=interaction)
    return interaction


def decode_acknowledgement(reply: Reply) -> Acknowledgement:
    """The acceptance of TD1.1/1.2/1.3b/1.4 (PRPA_IN201312/201315UV02).

    Raises:
        DmpRejectedError: PRPA_IN201313/201316UV02 or AE/AR, with the DMP code (``DMPFound``,
            ``DMPClosed``) and text.
    """
    interaction = _check_acknowledgement(reply)
    if interaction.endswith(("201313UV02", "201316UV02")):
        raise DmpRejectedError(reply.transaction.id, "dmpkit:Refused",
                               f"{interaction} without an error detail",
                               acknowledgement="AA", interaction=interaction)
    identifier = reply.payload.find("h:id", _NS)
    message_id = "" if identifier is None else (
        identifier.get("extension") or identifier.get("root") or "")
    return Acknowledgement(interaction, message_id)


def _bool(text: str | None) -> bool | None:
    if text is None:
        return None
    return text.strip().lower() == "true"


def _admin_data(reply: Reply) -> AdminData:
    payload = reply.payload
    authorisation: str | None = None
    medecin_traitant: bool | None = None
    for line in payload.findall("h:attentionLine", _NS):
        key = _attr(line, "h:keyWordText", "code")
        value = line.find("h:value", _NS)
        if value is None:
            continue
        if key == "AUTORISATION":
            authorisation = value.get("code")
        elif key == "STATUT_MT":
            medecin_traitant = _bool(value.get("value"))
    event = payload.find("h:controlActProcess/h:subject/h:registrationEvent", _NS)
    patient = None if event is None else event.find("h:subject1/h:patient", _NS)
    if event is None or patient is None:
        return AdminData(None, None, (), authorisation, medecin_traitant)
    observations: dict[str, bool] = {}
    for observation in patient.iterfind(".//h:administrativeObservation", _NS):
        code = _attr(observation, "h:code", "code")
        flag = _bool(_attr(observation, "h:value", "value"))
        if code and flag is not None:
            observations[code] = flag
    name = patient.find("h:patientPerson/h:name", _NS)
    usage = birth = given = None
    if name is not None:
        for family in name.findall("h:family", _NS):
            if family.get("qualifier") == "SP":
                usage = family.text
            elif family.get("qualifier") == "BR" or birth is None:
                birth = family.text
        given = _text(name, "h:given")
    return AdminData(
        dmp_status=_attr(event, "h:statusCode", "code"),
        patient_status=_attr(patient, "h:statusCode", "code"),
        patient_ids=tuple((i.get("root", ""), i.get("extension", ""))
                          for i in patient.findall("h:id", _NS)),
        authorisation=authorisation,
        medecin_traitant=medecin_traitant,
        observations=observations,
        birth_family=birth,
        usage_family=None if usage == "NON RENSEIGNE" else usage,
        given=given,
        gender=_attr(patient, "h:patientPerson/h:administrativeGenderCode", "code"),
        birth_date=_attr(patient, "h:patientPerson/h:birthTime", "value"),
    )


def decode_existence(reply: Reply) -> ExistenceResult:
    """The TD0.2 answer (PRPA_IN201308UV02): found or not, status and authorisation.

    Raises:
        DmpRejectedError: AE/AR (e.g. "Structure introuvable ou Inactive").
    """
    _check_acknowledgement(reply)
    code = _attr(reply.payload, "h:controlActProcess/h:queryAck/h:queryResponseCode", "code")
    if code is None:
        raise DmpProtocolError(reply.transaction.id, "dmpkit:MalformedAnswer",
                               "PRPA_IN201308UV02 without queryAck/queryResponseCode")
    if code.upper() == "NF":
        data = _admin_data(reply)
        return ExistenceResult(False, data if data.authorisation else None)
    return ExistenceResult(code.upper() == "OK", _admin_data(reply))


def decode_admin_data(reply: Reply) -> AdminData:
    """The TD1.3a answer (PRPA_IN201308UV02).

    Raises:
        DmpRejectedError: AE/AR, or queryResponseCode NF (code ``NF``: no DMP).
    """
    existence = decode_existence(reply)
    if not existence.exists or existence.data is None:
        raise DmpRejectedError(reply.transaction.id, "NF", "no DMP for this patient",
                               acknowledgement="AA", interaction="PRPA_IN201308UV02")
    return existence.data


# --- plans ---------------------------------------------------------------------------------


def test_existence(catalogue: Catalogue, claims: VihfClaims, patient: InsIdentifier,
                   access_mode: PurposeOfUse | None = None) -> Plan[ExistenceResult]:
    """TD0.2 (PRPA_IN201307UV02, TEST_EXST)."""
    transaction = catalogue.get("TD0.2")
    body = _query(transaction, catalogue, claims, patient)
    return single(Call(transaction, body, patient, access_mode), decode_existence)


def read_admin_data(catalogue: Catalogue, claims: VihfClaims, patient: InsIdentifier
                    ) -> Plan[AdminData]:
    """TD1.3a (PRPA_IN201307UV02, CNSLT_DATA)."""
    transaction = catalogue.get("TD1.3a")
    body = _query(transaction, catalogue, claims, patient)
    return single(Call(transaction, body, patient), decode_admin_data)


def create_dmp_message(catalogue: Catalogue, claims: VihfClaims, record: PatientRecord, *,
                       consent_date: str, opposition_bris_de_glace: bool = False,
                       opposition_acces_urgence: bool = False) -> etree._Element:
    """The PRPA_IN201311UV02 of TD1.1 (CREA_RD)."""
    transaction = catalogue.get("TD1.1")
    root = build_message("PRPA_IN201311UV02", claims)
    act = _control_act(root, "PRPA_TE201311UV02", transaction, catalogue)
    request, patient = _registration(act, "active", record.ins)
    for use, value in record.telecoms:
        _el(patient, "telecom", use=use, value=value)
    _el(patient, "statusCode", code="active")
    _person(patient, record)
    organisation = _el(patient, "providerOrganization", classCode="ORG",
                       determinerCode="INSTANCE")
    _organisation_contact(organisation, claims)
    _bool_observation(patient, "CONSENTEMENT_OUVERTURE_DMP", True, consent_date)
    _bool_observation(patient, "OPPOSITION_BRIS_DE_GLACE", opposition_bris_de_glace)
    _bool_observation(patient, "OPPOSITION_ACCES_URGENCE", opposition_acces_urgence)
    _author(request, claims)
    return root


def create_dmp(catalogue: Catalogue, claims: VihfClaims, record: PatientRecord, *,
               consent_date: str | None = None, opposition_bris_de_glace: bool = False,
               opposition_acces_urgence: bool = False) -> Plan[Acknowledgement]:
    """TD1.1 (PRPA_IN201311UV02, CREA_RD)."""
    body = create_dmp_message(
        catalogue, claims, record,
        consent_date=consent_date or testmode.now().strftime("%Y%m%d"),
        opposition_bris_de_glace=opposition_bris_de_glace,
        opposition_acces_urgence=opposition_acces_urgence)
    return single(Call(catalogue.get("TD1.1"), body, record.ins), decode_acknowledgement)


def _revise(catalogue: Catalogue, claims: VihfClaims, transaction_id: str, ins: InsIdentifier,
            *, status: str) -> tuple[etree._Element, etree._Element, etree._Element,
                                     etree._Element]:
    transaction = catalogue.get(transaction_id)
    root = build_message("PRPA_IN201314UV02", claims)
    act = _control_act(root, "PRPA_TE201314UV02", transaction, catalogue)
    request, patient = _registration(act, status, ins)
    return root, act, request, patient


def reactivate_dmp_message(catalogue: Catalogue, claims: VihfClaims, ins: InsIdentifier,
                           family: str, given: str) -> etree._Element:
    """The PRPA_IN201314UV02 of TD1.2 (REAC, consent to reactivation)."""
    root, _, request, patient = _revise(catalogue, claims, "TD1.2", ins, status="active")
    _el(patient, "statusCode", code="active")
    _minimal_person(patient, family, given)
    _bool_observation(patient, "CONSENTEMENT_REACTIVATION_DMP", True)
    _author(request, claims)
    return root


def reactivate_dmp(catalogue: Catalogue, claims: VihfClaims, ins: InsIdentifier, family: str,
                   given: str) -> Plan[Acknowledgement]:
    """TD1.2 (PRPA_IN201314UV02, REAC)."""
    body = reactivate_dmp_message(catalogue, claims, ins, family, given)
    return single(Call(catalogue.get("TD1.2"), body, ins), decode_acknowledgement)


def update_admin_data_message(catalogue: Catalogue, claims: VihfClaims, record: PatientRecord
                              ) -> etree._Element:
    """The PRPA_IN201314UV02 of TD1.3b (MODIF_DATA)."""
    root, _, request, patient = _revise(catalogue, claims, "TD1.3b", record.ins,
                                        status="active")
    for use, value in record.telecoms:
        _el(patient, "telecom", use=use, value=value)
    _el(patient, "statusCode", code="active")
    _person(patient, record)
    _author(request, claims)
    return root


def update_admin_data(catalogue: Catalogue, claims: VihfClaims, record: PatientRecord
                      ) -> Plan[Acknowledgement]:
    """TD1.3b (PRPA_IN201314UV02, MODIF_DATA)."""
    body = update_admin_data_message(catalogue, claims, record)
    return single(Call(catalogue.get("TD1.3b"), body, record.ins), decode_acknowledgement)


def close_dmp_message(catalogue: Catalogue, claims: VihfClaims, ins: InsIdentifier,
                      family: str, given: str, *, reason_code: str, reason_text: str
                      ) -> etree._Element:
    """The PRPA_IN201314UV02 of TD1.4 (FERM, with the closure reason)."""
    root, act, request, patient = _revise(catalogue, claims, "TD1.4", ins, status="completed")
    request.insert(1, etree.Element(f"{{{HL7}}}effectiveTime",
                                    value=testmode.now().strftime("%Y%m%d")))
    _el(patient, "statusCode", code="terminated")
    _minimal_person(patient, family, given)
    _author(request, claims)
    issue = _el(_el(act, "reasonOf", typeCode="RSON"), "detectedIssueEvent",
                classCode="ALRT", moodCode="EVN")
    _el(issue, "code", code=reason_code, codeSystem=CLOSURE_REASON_OID)
    _el(issue, "text", reason_text)
    return root


def close_dmp(catalogue: Catalogue, claims: VihfClaims, ins: InsIdentifier, family: str,
              given: str, *, reason_code: str = "FERMETURE_DEMANDE_PATIENT",
              reason_text: str = "Fermeture à la demande du patient") -> Plan[Acknowledgement]:
    """TD1.4 (PRPA_IN201314UV02, FERM)."""
    body = close_dmp_message(catalogue, claims, ins, family, given, reason_code=reason_code,
                             reason_text=reason_text)
    return single(Call(catalogue.get("TD1.4"), body, ins), decode_acknowledgement)

