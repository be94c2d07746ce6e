"""Shapes every GraphQL error for clients: a stable `extensions.code`, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError, VariableDefinitionNode

from backend.error_codes import ErrorCode
from backend.errors import DomainError
from backend.observability.metrics import count_error

logger = logging.getLogger("graphql_schema.errors")

INTERNAL_MESSAGE = "Internal server error."


def _variable_coercion(error: GraphQLError) -> bool:
    """An error about a variable's value, raised while coercing it before execution (the
    validator's errors about variables carry no original error)."""
    return (
        error.original_error is not None
        and error.path is None
        and any(isinstance(node, VariableDefinitionNode) for node in error.nodes or ())
    )


def format_error(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    extensions: dict[str, Any]
    if isinstance(original, DomainError):
        message = original.message
        extensions = {"code": original.code, **original.details}
    elif _variable_coercion(error):
        # A variable's value does not fit its type: the client's input, not a fault here.
        message = error.message
        extensions = {"code": ErrorCode.BAD_USER_INPUT.value}
    elif original is None:
        message = error.message
        code = error.extensions.get("code") if error.extensions else None
        if not code:
            code = (
                "GRAPHQL_PARSE_FAILED"
                if error.message.startswith("Syntax Error")
                else "GRAPHQL_VALIDATION_FAILED"
            )
        extensions = {"code": code}
    else:
        logger.error("unhandled error in %s", error.path, exc_info=original)
        message = INTERNAL_MESSAGE
        extensions = {"code": "INTERNAL_SERVER_ERROR"}
    count_error(extensions["code"])
    formatted: dict[str, Any] = {"message": message, "extensions": extensions}
    if error.locations:
        formatted["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in error.locations
        ]
    if error.path:
        formatted["path"] = error.path
    return formatted
