"""Refusals of a document for its size or cost: top-level errors with a stable code."""

from __future__ import annotations

from graphql import GraphQLError

from backend.error_codes import ErrorCode


class DocumentTooLarge(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": ErrorCode.DOCUMENT_TOO_LARGE.value})


class QueryTooComplex(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value})
