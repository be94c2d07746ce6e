"""What /graphql accepts over HTTP: one GraphQL operation as a JSON object, by POST.

Anything else is refused with a JSON body in the GraphQL error shape and a stable code, so
that a client reads every answer the same way: {"errors": [{"message", "extensions": {"code"}}]}.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from strawberry.http import GraphQLRequestData

from backend.error_codes import ErrorCode
from backend.observability.metrics import count_error

BAD_REQUEST = ErrorCode.BAD_REQUEST.value
METHOD_NOT_ALLOWED = ErrorCode.METHOD_NOT_ALLOWED.value
PAYLOAD_TOO_LARGE = ErrorCode.PAYLOAD_TOO_LARGE.value
UNSUPPORTED_MEDIA_TYPE = ErrorCode.UNSUPPORTED_MEDIA_TYPE.value


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> HttpResponse:
    count_error(code)
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    response = HttpResponse(orjson.dumps(body), status=status, content_type="application/json")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class TransportError(Exception):
    """A request refused before it reaches GraphQL."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> HttpResponse:
        return error_response(self.status, self.code, self.message)


def method_not_allowed() -> HttpResponse:
    return error_response(
        405,
        METHOD_NOT_ALLOWED,
        "Send GraphQL operations by POST, as JSON. GET serves GraphiQL to browsers only.",
        {"Allow": "POST"},
    )


def _bad_request(message: str) -> TransportError:
    return TransportError(400, BAD_REQUEST, message)


def _body(request: HttpRequest) -> bytes:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise _bad_request("Content-Length is not a number.") from None
    too_large = TransportError(
        413, PAYLOAD_TOO_LARGE, f"The request body is over the limit of {limit} bytes."
    )
    if limit is not None and declared > limit:
        raise too_large
    try:
        return request.body
    except RequestDataTooBig:
        raise too_large from None


def read_operation(request: HttpRequest) -> GraphQLRequestData:
    """The operation a POST carries; raises TransportError when there is not exactly one."""
    charset = (request.content_params or {}).get("charset", "utf-8").lower()
    if request.content_type != "application/json" or charset not in {"utf-8", "utf8"}:
        raise TransportError(
            415, UNSUPPORTED_MEDIA_TYPE, "Send the operation as application/json (UTF-8)."
        )
    raw = _body(request)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad_request("The request body is not valid UTF-8.") from None
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError):
        raise _bad_request("The request body is not valid JSON.") from None
    if isinstance(data, list):
        raise _bad_request("Batching is not supported: send one operation per request.")
    if not isinstance(data, dict):
        raise _bad_request('The request body must be a JSON object with a "query".')
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
        raise _bad_request('The request has no "query": send the GraphQL document as a string.')
    variables = data.get("variables")
    if not isinstance(variables, dict | None):
        raise _bad_request('"variables" must be an object or null.')
    operation_name = data.get("operationName")
    if not isinstance(operation_name, str | None):
        raise _bad_request('"operationName" must be a string or null.')
    extensions = data.get("extensions")
    if not isinstance(extensions, dict | None):
        raise _bad_request('"extensions" must be an object or null.')
    return GraphQLRequestData(
        query=query,
        variables=variables,
        operation_name=operation_name,
        extensions=extensions,
    )
