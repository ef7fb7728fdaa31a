"""ITI-18 Registry Stored Query: build every stored query, decode responses into the model."""

from __future__ import annotations

from dmpkit.query.build import StoredQueryError, build_query
from dmpkit.query.response import (
    QueryResponseError,
    QueryResult,
    RegistryError,
    build_response,
    decode_response,
    parse_response,
)
from dmpkit.query.stored import STORED_QUERIES, Param, ParamKind, StoredQuery, stored_query

__all__ = [
    "STORED_QUERIES",
    "Param",
    "ParamKind",
    "QueryResponseError",
    "QueryResult",
    "RegistryError",
    "StoredQuery",
    "StoredQueryError",
    "build_query",
    "build_response",
    "decode_response",
    "parse_response",
    "stored_query",
]
