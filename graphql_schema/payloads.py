"""The error contract of mutations: a payload with `errors: [UserError!]!` and the codes.

A mutation that fails for a domain reason (NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, bad
input, ...) answers `data` with its payload's `errors`, nothing saved; only authentication
failures stay top-level errors. `mutation_payload` does that for every mutation, so no
resolver catches errors itself.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import typing
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any, ParamSpec, TypeVar

import strawberry
from django.db import transaction
from strawberry.annotation import StrawberryAnnotation
from strawberry.types.field import StrawberryField

from backend.error_codes import ErrorCode
from backend.errors import DomainError, Unauthenticated
from formengine.model import graphql_name

_GraphQLErrorCode = StrEnum(  # type: ignore[misc]
    "ErrorCode", {code.name: code.value for code in ErrorCode}
)
GraphQLErrorCode = strawberry.enum(
    _GraphQLErrorCode,
    description="Every code an error can carry, in payloads and in `extensions.code`.",
)
for _value in GraphQLErrorCode.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = ErrorCode[_value.name].description


@strawberry.type(description="Why a mutation changed nothing; one entry per problem.")
class UserError:
    path: list[str] | None = strawberry.field(
        description="The argument at fault, as the client sent it: "
        '["input", "services", "0", "serviceType"]; null when no one argument is.'
    )
    code: GraphQLErrorCode  # type: ignore[valid-type]
    message: str

    @classmethod
    def of(cls, code: str, message: str, path: Sequence[str] | None) -> UserError:
        known = code if code in ErrorCode._value2member_map_ else ErrorCode.BAD_REQUEST
        return cls(
            path=list(path) if path else None,
            code=_GraphQLErrorCode(str(known)),
            message=message,
        )


_JSON_SEGMENT = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_SEGMENT = re.compile(r"\[uid=[^\]]*\]|\[(\d+)\]|([^.\[\]]+)")


def client_path(stored: str, prefix: Sequence[str] = ()) -> list[str]:
    """A form-engine or service path in the client's words.

    `services[uid=ab12][0].service_type` -> [*prefix, "services", "0", "serviceType"].
    """
    path = list(prefix)
    for match in _SEGMENT.finditer(stored):
        index, name = match.groups()
        if index is not None:
            path.append(index)
        elif name is not None:
            path.append(graphql_name(name))
    return path


def _json_segments(json_path: str) -> list[str]:
    """`$.fields[3].type` -> ["fields", "3", "type"]: the document's own keys, unchanged."""
    return [index or name for index, name in _JSON_SEGMENT.findall(json_path) if name != "$"]


def user_errors(error: DomainError, under: Sequence[str] = ()) -> list[UserError]:
    listed = error.details.get("errors")
    if isinstance(listed, list) and listed and all(isinstance(e, dict) for e in listed):
        return [
            UserError.of(
                str(e.get("code", error.code)),
                str(e.get("message", error.message)),
                _path(e, under),
            )
            for e in listed
        ]
    field = error.details.get("field")
    return [UserError.of(error.code, error.message, client_path(field, under) if field else None)]


def _path(entry: dict[str, Any], under: Sequence[str]) -> list[str]:
    """Where one of several problems is. A document's (a form definition, a file): a JSON
    path inside the argument that held it (`definition` unless the entry names another
    `argument`). Or a list: the argument (its stored name), then the keys inside its JSON
    value as they are: `["workflow", "services", "due_date_field"]`."""
    path = entry.get("path", "")
    if isinstance(path, list):
        return [*under, graphql_name(str(path[0])), *map(str, path[1:])] if path else []
    return [str(entry.get("argument", "definition")), *_json_segments(str(path))]


P = ParamSpec("P")
T = TypeVar("T")


def _refused(resolver: Callable[..., Any], errors: list[UserError]) -> Any:
    """A refused mutation's payload: its own type where the resolver names one (so fields
    with defaults, such as `retired: false`, keep them; the others are null), else a dict
    the types read."""
    try:
        payload_type = typing.get_type_hints(resolver).get("return")
    except (NameError, TypeError):
        payload_type = None
    definition = getattr(payload_type, "__strawberry_definition__", None)
    if not isinstance(payload_type, type) or definition is None:
        return {"errors": errors}
    payload: Any = object.__new__(payload_type)
    for field in definition.fields:
        default = field.default
        if default is strawberry.UNSET or default is dataclasses.MISSING:
            default = field.default_factory() if callable(field.default_factory) else None
        setattr(payload, field.python_name, default)
    payload.errors = errors
    return payload


def mutation_payload(resolver: Callable[P, T], *, under: Sequence[str] = ()) -> Callable[P, T]:
    """Run a mutation resolver; a domain error becomes the payload's `errors`.

    `under` prefixes the paths of errors about one argument when the resolver takes its
    arguments in an input object (`["input"]`). The resolver declares
    `client_mutation_id: str | None = None` (for the schema) and gets it as None: the
    payload echoes it whatever happened. Nothing of a refused mutation is saved.
    """

    @functools.wraps(resolver)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        client_mutation_id = kwargs.pop("client_mutation_id", None)
        payload: Any
        try:
            # A savepoint of its own: whatever the step wrote before it was refused goes.
            with transaction.atomic():
                payload = resolver(*args, **kwargs)
        except Unauthenticated:
            raise
        except DomainError as error:
            payload = _refused(resolver, user_errors(error, under))
        if isinstance(payload, dict):
            payload.setdefault("errors", [])
            payload["client_mutation_id"] = client_mutation_id
        else:
            payload.client_mutation_id = client_mutation_id
        result: T = payload
        return result

    return run


@strawberry.type
class MutationPayload:
    """Fields every payload has; payload types list their own object first."""

    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty when the mutation did what it was asked."
    )
    client_mutation_id: str | None = strawberry.field(
        default=None, description="The clientMutationId the mutation was given."
    )


def payload_fields() -> list[StrawberryField]:
    """The shared payload fields, for payload types compiled at run time."""
    return [
        StrawberryField(
            python_name=field.python_name,
            graphql_name=None,
            type_annotation=StrawberryAnnotation(field.type_annotation.annotation),
            description=field.description,
            default=field.default,
            default_factory=field.default_factory,
        )
        for field in MutationPayload.__strawberry_definition__.fields  # type: ignore[attr-defined]
    ]


def error_code_table() -> str:
    """The Markdown table of every code, as frontend_contract/README.md lists them."""
    rows = [f"| `{code.value}` | {code.description} |" for code in ErrorCode]
    return "\n".join(["| Code | Meaning |", "| --- | --- |", *rows])
