"""The /graphql endpoint: JSON over POST, multipart uploads for `attachFile`, and GraphiQL
(self-hosted) for browsers.

Per request, in this order: the transport (method, content type, size, one JSON operation;
an upload only with a bearer token and only for `attachFile`),
then the caller (the bearer token is checked before the document is validated), then the
schema that caller gets: `base_schema` when anonymous, the tenant's compiled schema when
signed in.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from cross_web import HTTPException
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from graphql import ExecutionResult
from strawberry.django.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData

from backend.accounts.errors import TotpEnrollmentRequired
from backend.database.outage import RETRY_AFTER_SECONDS, is_outage
from backend.error_codes import ErrorCode
from backend.errors import Unauthenticated
from backend.observability import request_log
from backend.observability.metrics import operation_label, operation_name
from graphql_schema.context import RequestContext
from graphql_schema.errors import format_error
from graphql_schema.registry import base_schema, schema_for_tenant
from graphql_schema.root_fields import (
    DIRECTORY_FIELDS,
    ENROLMENT_FIELDS,
    SIGN_IN_FIELDS,
    RootSelection,
    root_fields_of,
    root_selection,
)
from graphql_schema.schema_version import schema_version
from graphql_schema.transport import (
    BAD_REQUEST,
    TransportError,
    error_response,
    is_multipart,
    method_not_allowed,
    read_operation,
)

logger = logging.getLogger(__name__)

SCHEMA_VERSION_HEADER = "X-Schema-Version"
SIGN_IN_MUST_BE_ALONE = ErrorCode.SIGN_IN_MUST_BE_ALONE.value
UPLOAD_FIELDS = frozenset({"attachFile"})
ANONYMOUS_ROOT_FIELDS = {
    operation: names - DIRECTORY_FIELDS for operation, names in root_fields_of(base_schema).items()
}


def _unauthenticated(message: str, *, token_sent: bool) -> HttpResponse:
    # RFC 6750: no error attribute when the request carried no credentials at all.
    challenge = 'Bearer error="invalid_token"' if token_sent else "Bearer"
    return error_response(
        401, ErrorCode.UNAUTHENTICATED.value, message, {"WWW-Authenticate": challenge}
    )


def _database_unavailable() -> HttpResponse:
    return error_response(
        503,
        ErrorCode.SERVICE_UNAVAILABLE.value,
        "The database cannot be reached: send the request again shortly.",
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def _only_uploads(operation: GraphQLRequestData) -> bool:
    selection = root_selection(operation.query or "", operation.operation_name)
    return (
        selection is not None
        and selection.operation == "mutation"
        and selection.only(UPLOAD_FIELDS)
    )


class CaseworkGraphQLView(GraphQLView):
    allow_queries_via_get = False
    batch = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(schema=base_schema, **kwargs)
        self._operation: GraphQLRequestData | None = None
        self._context: RequestContext | None = None
        self._schema_version: str | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "GET" and self.should_render_graphql_ide(request):
            return self.render_graphql_ide(request)
        if request.method != "POST":
            return method_not_allowed()
        upload = is_multipart(request)
        if upload and RequestContext(request, HttpResponse()).bearer_token() is None:
            # Nothing of an anonymous upload is received, not even to a temporary file.
            return _unauthenticated("Sign in first: uploads need a bearer token.", token_sent=False)
        try:
            self._operation = read_operation(request)
        except TransportError as error:
            return error.response()
        if upload and not _only_uploads(self._operation):
            return error_response(
                400, BAD_REQUEST, "multipart/form-data is for attachFile alone; send JSON."
            )
        name = operation_name(self._operation.operation_name, self._operation.query)
        request_log.annotate(operation=operation_label(name))
        # One transaction per request: row-level security reads the tenant from a
        # transaction-local setting, made when the bearer token is checked.
        try:
            with transaction.atomic():
                self._context = RequestContext(request=request, response=HttpResponse())
                refusal = self._admit(self._context, self._operation)
                response = self._execute(request) if refusal is None else refusal
        except DatabaseError as error:
            # Down, restarting or failing over: a code the client retries on, not a fault.
            if not is_outage(error):
                raise
            logger.warning("database unreachable: %s", error)
            return _database_unavailable()
        if self._schema_version is not None:
            response[SCHEMA_VERSION_HEADER] = self._schema_version
        return response

    def _execute(self, request: HttpRequest) -> HttpResponseBase:
        try:
            return self.run(request=request)
        except HTTPException as error:  # e.g. an operationName the document does not define
            return error_response(error.status_code, BAD_REQUEST, error.reason)

    def _admit(self, context: RequestContext, operation: GraphQLRequestData) -> HttpResponse | None:
        """Pick the caller's schema, or answer before the document is validated."""
        query, name = operation.query or "", operation.operation_name
        if context.bearer_token() is None:
            selection = root_selection(query, name)
            if selection is not None and not selection.only(
                ANONYMOUS_ROOT_FIELDS[selection.operation]
            ):
                return _unauthenticated(
                    "Sign in first: this operation needs 'Authorization: Bearer <token>'.",
                    token_sent=False,
                )
            return self._refuse_mixed_sign_in(selection)
        try:
            principal = context.authenticate()
        except Unauthenticated as error:
            # A stale token must not stop a client from signing in again.
            selection = root_selection(query, name)
            if selection is not None and selection.only(SIGN_IN_FIELDS):
                return None
            return _unauthenticated(error.message, token_sent=True)
        if principal.totp_enrollment_only:
            selection = root_selection(query, name)
            if selection is not None and not selection.only(ENROLMENT_FIELDS):
                return error_response(
                    403,
                    TotpEnrollmentRequired.code,
                    "Your role requires two-factor authentication: enrol an authenticator "
                    "first (beginTotpEnrollment, confirmTotpEnrollment).",
                    {"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
                )
            return self._refuse_mixed_sign_in(selection)
        tenant = principal.user.tenant
        request_log.annotate(tenant=tenant.slug, user_id=principal.user.pk)
        self.schema = schema_for_tenant(tenant)
        self._schema_version = schema_version(tenant, self.schema)
        # A signed-in caller's document matters here only when it signs in: the usual
        # document names none of those fields and is not parsed twice.
        if not any(field in query for field in SIGN_IN_FIELDS):
            return None
        return self._refuse_mixed_sign_in(root_selection(query, name))

    def _refuse_mixed_sign_in(self, selection: RootSelection | None) -> HttpResponse | None:
        # Sign-in switches the transaction to the tenant it signs in to; other fields in the
        # same mutation would then run as the caller in another tenant's rows.
        if selection is None or not selection.mixes_sign_in():
            return None
        return error_response(
            200,
            SIGN_IN_MUST_BE_ALONE,
            "Send login, loginWithOidc and refreshToken in a mutation of their own, "
            "without other fields.",
        )

    def parse_http_body(self, request: Any) -> GraphQLRequestData:
        assert self._operation is not None  # read in dispatch, before run
        return self._operation

    def get_context(self, request: HttpRequest, response: HttpResponse) -> RequestContext:  # type: ignore[override]
        context = self._context or RequestContext(request, response)
        context.response = response
        return context

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A browser asking for the page, and nothing else: a query in the URL is refused.
        # (GraphiQL takes a query to pre-fill from the URL fragment, which stays in the browser.)
        return (
            request.method == "GET"
            and "query" not in request.GET
            and "text/html" in request.headers.get("accept", "")
        )

    def render_graphql_ide(self, request: HttpRequest) -> HttpResponse:
        return render(request, "graphql/graphiql.html")

    def process_result(  # type: ignore[override]
        self, request: HttpRequest, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {"data": result.data}
        for error in result.errors or ():
            original = error.original_error
            if original is not None and is_outage(original):
                # The whole answer is void: raised out of the transaction, answered 503.
                raise original
        if result.errors:
            data["errors"] = [format_error(error) for error in result.errors]
        extensions = dict(result.extensions or {})
        if self._context is not None and self._context.redacted:
            extensions["redacted"] = self._context.redacted
        if extensions:
            data["extensions"] = extensions
        return data
