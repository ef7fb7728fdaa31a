"""Read the header of an N1 document from a TOML file (for ``dmpkit cda make --header``).

One professional and one organisation play every role of a single-practice document: author,
legal authenticator, performer of the act, custodian. Sections and keys::

    [document]      title, type_code = {code, code_system, display_name}, effective_time,
                    confidentiality (optional), document_id, set_id, version_number, replaces
    [patient]       ins, ins_oid, birth_name, given, given_names, gender, birth_date,
                    birth_place_cog, used_name, local_id = [root, extension], address = {...}
    [professional]  id_nat, family, given, prefix, suffix, specialty = {...}
    [organization]  id_nat, name, telecom, address = {house_number, street_name,
                    postal_code, city, country}
    [service_event] start, end, code = {...} (optional), practice_setting = {...}
    [encounter]     start, end, facility_type = {...}, facility_id = [root, extension]

Times are TOML offset date-times (``2024-03-05T10:30:00+01:00``), dates TOML local dates.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dmpkit.cda import inputs as cda_in
from dmpkit.cda.builder import N1BuildError
from dmpkit.identifiers.ins import Ins

__all__ = ["load_header"]


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    section = data.get(name)
    if not isinstance(section, dict):
        raise N1BuildError(f"header file: section [{name}] is missing")
    return section


def _get(section: dict[str, Any], where: str, key: str, kind: type | tuple[type, ...] = str,
         required: bool = True) -> Any:
    value = section.get(key)
    if value is None:
        if required:
            raise N1BuildError(f"header file: [{where}] {key} is missing")
        return None
    if not isinstance(value, kind):
        raise N1BuildError(f"header file: [{where}] {key} = {value!r} has the wrong type")
    if isinstance(value, datetime) and value.tzinfo is None:
        raise N1BuildError(f"header file: [{where}] {key} needs a time zone offset")
    return value


def _code(section: dict[str, Any], where: str, key: str, required: bool = True
          ) -> cda_in.Code | None:
    value = _get(section, where, key, dict, required)
    if value is None:
        return None
    return cda_in.Code(_get(value, f"{where}.{key}", "code"),
                       _get(value, f"{where}.{key}", "code_system"),
                       _get(value, f"{where}.{key}", "display_name"),
                       _get(value, f"{where}.{key}", "code_system_name", required=False))


def _must_code(section: dict[str, Any], where: str, key: str) -> cda_in.Code:
    code = _code(section, where, key)
    if code is None:  # _code raises first; kept for the type checker
        raise N1BuildError(f"header file: [{where}] {key} is missing")
    return code


def _address(section: dict[str, Any], where: str) -> cda_in.Address | None:
    value = _get(section, where, "address", dict, required=False)
    if value is None:
        return None
    return cda_in.Address(**{k: str(v) for k, v in value.items()
                             if k in cda_in.Address.__dataclass_fields__})


def _pair(section: dict[str, Any], where: str, key: str) -> tuple[str, str] | None:
    value = _get(section, where, key, list, required=False)
    if value is None:
        return None
    if len(value) != 2:
        raise N1BuildError(f"header file: [{where}] {key} must be [root, extension]")
    return str(value[0]), str(value[1])


def load_header(path: Path) -> dict[str, Any]:
    """The :class:`dmpkit.cda.builder.N1Document` fields a header file gives (all but content).

    Raises:
        N1BuildError: the file is unreadable, or a section or key is missing or mistyped.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise N1BuildError(f"header file {path.name}: {exc}") from None
    document = _section(data, "document")
    patient = _section(data, "patient")
    person = _section(data, "professional")
    org = _section(data, "organization")
    event = _section(data, "service_event")
    encounter = _section(data, "encounter")
    professional = cda_in.HealthProfessional(
        _get(person, "professional", "id_nat"),
        cda_in.PersonName(_get(person, "professional", "family"),
                          _get(person, "professional", "given"),
                          _get(person, "professional", "prefix", required=False),
                          _get(person, "professional", "suffix", required=False)),
        _must_code(person, "professional", "specialty"))
    organization = cda_in.Organization(
        _get(org, "organization", "id_nat"), _get(org, "organization", "name"),
        address=_address(org, "organization"),
        telecom=_get(org, "organization", "telecom", required=False))
    when = _get(document, "document", "effective_time", datetime)
    fields: dict[str, Any] = {
        "title": _get(document, "document", "title"),
        "type_code": _must_code(document, "document", "type_code"),
        "effective_time": when,
        "patient": cda_in.Patient(
            Ins(_get(patient, "patient", "ins"),
                _get(patient, "patient", "ins_oid", required=False) or "1.2.250.1.213.1.4.10"),
            _get(patient, "patient", "birth_name"), _get(patient, "patient", "given"),
            _get(patient, "patient", "gender"), _get(patient, "patient", "birth_date", date),
            _get(patient, "patient", "birth_place_cog"),
            given_names=_get(patient, "patient", "given_names", required=False),
            used_name=_get(patient, "patient", "used_name", required=False),
            local_id=_pair(patient, "patient", "local_id"),
            address=_address(patient, "patient")),
        "authors": [cda_in.Author(professional, organization, when)],
        "custodian": organization,
        "legal_authenticator": cda_in.LegalAuthenticator(professional, when),
        "service_event": cda_in.ServiceEvent(
            _get(event, "service_event", "start", datetime), professional, organization,
            _must_code(event, "service_event", "practice_setting"),
            code=_code(event, "service_event", "code", required=False),
            end=_get(event, "service_event", "end", datetime, required=False)),
        "encounter": cda_in.Encounter(
            _get(encounter, "encounter", "start", datetime),
            _must_code(encounter, "encounter", "facility_type"),
            end=_get(encounter, "encounter", "end", datetime, required=False),
            facility_id=_pair(encounter, "encounter", "facility_id")),
    }
    confidentiality = _code(document, "document", "confidentiality", required=False)
    if confidentiality is not None:
        fields["confidentiality"] = confidentiality
    for key, kind in (("document_id", str), ("set_id", str), ("version_number", int)):
        value = _get(document, "document", key, kind, required=False)
        if value is not None:
            fields[key] = value
    replaces = _get(document, "document", "replaces", str, required=False)
    if replaces is not None:
        fields["replaces"] = cda_in.ReplacedDocument(replaces)
    return fields
