"""Refusals of a document for its size or cost: top-level errors with a stable code."""

from __future__ import annotations

from graphql import GraphQLError


class DocumentTooLarge(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "DOCUMENT_TOO_LARGE"})


class QueryTooComplex(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "QUERY_TOO_COMPLEX"})
