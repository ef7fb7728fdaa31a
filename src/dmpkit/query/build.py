"""Build ITI-18 ``query:AdhocQueryRequest`` bodies, with the parameter checks of ITI TF-2a."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from dmpkit.errors import DmpkitError
from dmpkit.identifiers.hl7v2 import Cx
from dmpkit.metadata import ebrim_map as m
from dmpkit.metadata.model import CodedValue
from dmpkit.namespaces import QUERY, RIM
from dmpkit.query.stored import Param, ParamKind, StoredQuery, stored_query

__all__ = ["StoredQueryError", "build_query", "encode_value"]

_DTM = re.compile(r"^[0-9]{4}(?:[0-9]{2}){0,5}$")
_UUID = re.compile(r"^urn:uuid:[0-9a-fA-F-]{36}$")
_STATUSES = frozenset({m.APPROVED, m.DEPRECATED, m.SUBMITTED, m.ARCHIVED, m.DELETED})


class StoredQueryError(DmpkitError, ValueError):
    """A stored query cannot be built as asked.

    Attributes:
        error_code: the IHE code a registry would answer (``XDSStoredQueryParamNumber``,
            ``XDSStoredQueryMissingParam``, ``XDSRegistryError``...).
    """

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code


def _quote(text: str) -> str:
    # ITI TF-2a §3.18.4.1.2.3.5: a quote inside a value is doubled.
    return "'" + text.replace("'", "''") + "'"


def encode_value(param: Param, value: Any) -> str:
    """One value as written inside a parameter Slot.

    Raises:
        StoredQueryError: the value does not fit the parameter (XDSRegistryError).
    """
    kind = param.kind
    if kind is ParamKind.TIME:
        text = str(value)
        if not _DTM.match(text):
            raise StoredQueryError(
                "XDSRegistryError", f"{param.name}: {text!r} is not a DTM YYYY[MM[DD[hh[mm[ss]]]]]")
        return text
    if kind is ParamKind.CODE:
        if isinstance(value, CodedValue):
            return _quote(f"{value.code}^^{value.scheme}")
        if isinstance(value, tuple) and len(value) == 2:
            return _quote(f"{value[0]}^^{value[1]}")
        raise StoredQueryError("XDSRegistryError",
                               f"{param.name}: give a CodedValue or (code, scheme), not {value!r}")
    if kind is ParamKind.PATIENT:
        text = value.format() if isinstance(value, Cx) else str(value)
        cx = Cx.parse(text)
        if not cx.id_number or not cx.assigning_authority.universal_id:
            raise StoredQueryError("XDSRegistryError",
                                   f"{param.name}: {text!r} is not id^^^&<OID>&ISO")
        return _quote(text)
    text = str(value)
    if kind is ParamKind.STATUS and text not in _STATUSES:
        raise StoredQueryError("XDSRegistryError",
                               f"{param.name}: {text!r} is not a status URN "
                               f"({', '.join(sorted(_STATUSES))})")
    if kind is ParamKind.UUID and not _UUID.match(text):
        raise StoredQueryError("XDSRegistryError", f"{param.name}: {text!r} is not a urn:uuid")
    if kind is ParamKind.ASSOCIATION and m.full_association_type(text) not in m.ASSOCIATION_TYPES:
        raise StoredQueryError("XDSRegistryError", f"{param.name}: {text!r} is not an "
                               "association type URN")
    return _quote(text)


def _slots(param: Param, value: Any) -> list[str]:
    """The Slot values for one parameter (several Slots for AND of an and_or parameter)."""
    if not param.multiple:
        if isinstance(value, list | tuple | set) and not (
                param.kind is ParamKind.CODE and isinstance(value, tuple)):
            raise StoredQueryError("XDSStoredQueryParamNumber",
                                   f"{param.name} takes a single value, got {len(value)}")
        return [encode_value(param, value)]
    if isinstance(value, str | CodedValue | Cx) or (
            param.kind is ParamKind.CODE and isinstance(value, tuple)):
        value = [value]
    groups: Sequence[Iterable[Any]]
    values = list(value)
    if param.and_or and values and all(isinstance(v, list) for v in values):
        groups = values  # list of lists: AND between groups
    else:
        groups = [values]
    slots = []
    for group in groups:
        encoded = [encode_value(param, v) for v in group]
        if not encoded:
            raise StoredQueryError("XDSStoredQueryParamNumber", f"{param.name} has no value")
        slots.append("(" + ",".join(encoded) + ")")
    return slots


@dataclass(frozen=True, slots=True)
class _Checked:
    query: StoredQuery
    slots: list[tuple[str, str]]


def _check(query: StoredQuery, params: dict[str, Any]) -> _Checked:
    slots: list[tuple[str, str]] = []
    given: set[str] = set()
    for key, value in params.items():
        param = query.param(key)
        if param is None:
            known = ", ".join(p.keyword for p in query.params)
            raise StoredQueryError("XDSStoredQueryParamNumber",
                                   f"{query.name} has no parameter {key!r} (known: {known})")
        if value is None:
            continue
        given.add(param.name)
        slots.extend((param.name, text) for text in _slots(param, value))
    for param in query.params:
        if param.required and param.name not in given:
            raise StoredQueryError("XDSStoredQueryMissingParam",
                                   f"{query.name} requires {param.keyword} ({param.name})")
    for group in {p.one_of for p in query.params if p.one_of}:
        members = [p for p in query.params if p.one_of == group]
        count = sum(p.name in given for p in members)
        if count != 1:
            names = " or ".join(p.keyword for p in members)
            code = "XDSStoredQueryMissingParam" if count == 0 else "XDSStoredQueryParamNumber"
            raise StoredQueryError(code, f"{query.name} takes exactly one of {names}, got {count}")
    return _Checked(query, slots)


def build_query(name: str, *, return_type: str = "LeafClass", **params: Any) -> etree._Element:
    """An ``query:AdhocQueryRequest`` for a stored query.

    Args:
        name: the query name (``FindDocuments``...) or its id.
        return_type: ``LeafClass`` (full metadata) or ``ObjectRef`` (ids only).
        **params: the parameters by builder keyword (``patient_id``, ``status``...) or by Slot
            name; a code is a :class:`~dmpkit.metadata.CodedValue` or ``(code, scheme)``; a list
            of lists for an AND/OR parameter (``event_code``) makes one Slot per inner list.

    Raises:
        StoredQueryError: unknown query or parameter, missing or extra value, bad value.
    """
    try:
        query = stored_query(name)
    except KeyError as error:
        raise StoredQueryError("XDSUnknownStoredQuery", str(error.args[0])) from None
    if return_type not in ("LeafClass", "ObjectRef"):
        raise StoredQueryError("XDSRegistryError",
                               f"returnType {return_type!r} is not LeafClass or ObjectRef")
    checked = _check(query, params)
    request = etree.Element(f"{{{QUERY}}}AdhocQueryRequest", nsmap={"query": QUERY, "rim": RIM})
    etree.SubElement(request, f"{{{QUERY}}}ResponseOption", returnType=return_type,
                     returnComposedObjects="true")
    adhoc = etree.SubElement(request, f"{{{RIM}}}AdhocQuery", id=query.query_id)
    for slot_name, text in checked.slots:
        slot = etree.SubElement(adhoc, f"{{{RIM}}}Slot", name=slot_name)
        etree.SubElement(etree.SubElement(slot, f"{{{RIM}}}ValueList"), f"{{{RIM}}}Value").text = \
            text
    return request
