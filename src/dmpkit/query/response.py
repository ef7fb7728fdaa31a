"""Decode ITI-18 ``query:AdhocQueryResponse`` (LeafClass or ObjectRef) into the model."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from dmpkit.errors import DmpkitError
from dmpkit.metadata import ebrim_map as m
from dmpkit.metadata.ebrim import DecodeProblem, decode, encode
from dmpkit.metadata.model import XdsMetadata
from dmpkit.namespaces import QUERY, RIM, RS
from dmpkit.xmlparse import parse_xml

__all__ = [
    "QueryResponseError",
    "QueryResult",
    "RegistryError",
    "build_response",
    "decode_response",
    "parse_response",
]

_RESPONSE = f"{{{QUERY}}}AdhocQueryResponse"
_ERROR_LIST = f"{{{RS}}}RegistryErrorList"
_ERROR = f"{{{RS}}}RegistryError"


class QueryResponseError(DmpkitError, ValueError):
    """The element is not an AdhocQueryResponse."""


@dataclass(frozen=True, slots=True)
class RegistryError:
    """One ``rs:RegistryError`` of the response."""

    error_code: str
    code_context: str
    location: str
    severity: str


@dataclass(slots=True)
class QueryResult:
    """A decoded ITI-18 response.

    Attributes:
        status: the response status URN.
        metadata: the objects returned (``object_refs`` for an ObjectRef query).
        errors: the registry errors and warnings.
        problems: values the decoder could not type.
    """

    status: str
    metadata: XdsMetadata
    errors: list[RegistryError] = field(default_factory=list)
    problems: list[DecodeProblem] = field(default_factory=list)

    @property
    def success(self) -> bool:
        """Whether the registry answered Success (PartialSuccess and Failure are not)."""
        return self.status == m.RESPONSE_SUCCESS or self.status == "Success"


def decode_response(response: etree._Element) -> QueryResult:
    """Decode a parsed ``query:AdhocQueryResponse``.

    Raises:
        QueryResponseError: the element is something else.
    """
    if response.tag != _RESPONSE:
        raise QueryResponseError(f"expected query:AdhocQueryResponse, got {response.tag}")
    errors = [RegistryError(e.get("errorCode", ""), e.get("codeContext", ""),
                            e.get("location", ""), e.get("severity", ""))
              for error_list in response.iterchildren(_ERROR_LIST)
              for e in error_list.iterchildren(_ERROR)]
    try:
        decoded = decode(response)
    except ValueError:
        decoded = None  # a Failure response may carry no RegistryObjectList
    if decoded is None:
        return QueryResult(response.get("status", ""), XdsMetadata(), errors)
    return QueryResult(response.get("status", ""), decoded.metadata, errors, decoded.problems)


def parse_response(data: bytes) -> QueryResult:
    """Parse (hardened parser) and decode an AdhocQueryResponse body."""
    return decode_response(parse_xml(data))


def build_response(metadata: XdsMetadata, *, status: str = m.RESPONSE_SUCCESS,
                   errors: tuple[RegistryError, ...] = ()) -> etree._Element:
    """A ``query:AdhocQueryResponse`` holding ``metadata`` (for a registry or a test double)."""
    response = etree.Element(_RESPONSE, nsmap={"query": QUERY, "rs": RS, "rim": RIM},
                             status=status)
    if errors:
        error_list = etree.SubElement(response, _ERROR_LIST)
        for error in errors:
            etree.SubElement(error_list, _ERROR, errorCode=error.error_code,
                             codeContext=error.code_context, location=error.location,
                             severity=error.severity)
    response.append(encode(metadata))
    return response
