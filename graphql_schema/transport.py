"""What /graphql accepts over HTTP: one GraphQL operation as a JSON object, by POST; or, for
an upload, as multipart/form-data by the GraphQL multipart request spec (`operations`, `map`,
one file), received to a temporary file and cut off at the file size limit.

Anything else is refused with a JSON body in the GraphQL error shape and a stable code, so
that a client reads every answer the same way: {"errors": [{"message", "extensions": {"code"}}]}.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from strawberry.file_uploads.utils import replace_placeholders_with_files
from strawberry.http import GraphQLRequestData

from backend.attachments.uploads import LimitedUploadHandler
from backend.error_codes import ErrorCode
from backend.observability.metrics import count_error

BAD_REQUEST = ErrorCode.BAD_REQUEST.value
METHOD_NOT_ALLOWED = ErrorCode.METHOD_NOT_ALLOWED.value
PAYLOAD_TOO_LARGE = ErrorCode.PAYLOAD_TOO_LARGE.value
UNSUPPORTED_MEDIA_TYPE = ErrorCode.UNSUPPORTED_MEDIA_TYPE.value
FILE_TOO_LARGE = ErrorCode.FILE_TOO_LARGE.value
MULTIPART = "multipart/form-data"


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


def is_multipart(request: HttpRequest) -> bool:
    return request.content_type == MULTIPART


def read_operation(request: HttpRequest) -> GraphQLRequestData:
    """The operation a POST carries; raises TransportError when there is not exactly one."""
    if is_multipart(request):
        return _read_multipart(request)
    charset = (request.content_params or {}).get("charset", "utf-8").lower()
    if request.content_type != "application/json" or charset not in {"utf-8", "utf8"}:
        raise TransportError(
            415,
            UNSUPPORTED_MEDIA_TYPE,
            "Send the operation as application/json (UTF-8), or an upload as multipart/form-data.",
        )
    raw = _body(request)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad_request("The request body is not valid UTF-8.") from None
    return _operation(_json(text, "The request body"))


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise _bad_request(f"{what} is not valid JSON.") from None


def _file_too_large(limit: int) -> TransportError:
    return TransportError(413, FILE_TOO_LARGE, f"The file is over the limit of {limit} bytes.")


def _read_multipart(request: HttpRequest) -> GraphQLRequestData:
    """An upload: the form fields stay under the request body limit, the one file under the
    file limit, counted while it streams to a temporary file."""
    file_limit = int(settings.ATTACHMENT_MAX_FILE_BYTES)
    body_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise _bad_request("Content-Length is not a number.") from None
    if declared > file_limit + body_limit:
        raise _file_too_large(file_limit)
    handler = LimitedUploadHandler(request, file_limit)
    request.upload_handlers = [handler]
    try:
        fields, files = request.POST, request.FILES
    except RequestDataTooBig:
        raise TransportError(
            413, PAYLOAD_TOO_LARGE, f"The form fields are over the limit of {body_limit} bytes."
        ) from None
    except (MultiPartParserError, SuspiciousOperation, ValueError):
        raise _bad_request("The multipart body cannot be read.") from None
    if handler.refused == "too_large":
        raise _file_too_large(file_limit)
    if handler.refused == "too_many" or len(files) > 1:
        raise _bad_request("Send one file per request.")
    operations = _json(fields.get("operations", ""), 'The "operations" field')
    files_map = _json(fields.get("map", "{}"), 'The "map" field')
    if not isinstance(files_map, dict) or not all(
        isinstance(paths, list)
        and key in files
        and all(isinstance(p, str) and p.startswith("variables.") for p in paths)
        for key, paths in files_map.items()
    ):
        raise _bad_request('"map" must name each file sent and paths under "variables."')
    if isinstance(operations, dict):
        try:
            operations = replace_placeholders_with_files(operations, files_map, files)
        except (KeyError, IndexError, ValueError, TypeError):
            raise _bad_request('A path of "map" is not in "operations".') from None
    return _operation(operations)


def _operation(data: Any) -> GraphQLRequestData:
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
