"""The /graphql endpoint: JSON over POST, and GraphiQL (self-hosted) for browsers."""

from __future__ import annotations

import contextlib
from typing import Any

import orjson
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from graphql import ExecutionResult
from strawberry.django.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse

from backend.errors import Unauthenticated
from graphql_schema.context import RequestContext
from graphql_schema.errors import format_error
from graphql_schema.registry import base_schema, schema_for_tenant


class CaseworkGraphQLView(GraphQLView):
    allow_queries_via_get = False
    batch = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(schema=base_schema, **kwargs)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method != "POST":
            return super().dispatch(request, *args, **kwargs)
        # One transaction per request: row-level security reads the tenant from a
        # transaction-local setting, made when the bearer token is checked.
        with transaction.atomic():
            self._context = RequestContext(request=request, response=HttpResponse())
            if self._context.bearer_token():
                # The schema is chosen once, here: the user's tenant schema. On a bad token,
                # fields that need a user answer UNAUTHENTICATED.
                with contextlib.suppress(Unauthenticated):
                    self.schema = schema_for_tenant(self._context.user.tenant)
            return super().dispatch(request, *args, **kwargs)

    def get_context(self, request: HttpRequest, response: HttpResponse) -> RequestContext:  # type: ignore[override]
        context = getattr(self, "_context", None) or RequestContext(request, response)
        context.response = response
        return context

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # Queries over GET are off, so every browser GET gets the IDE, even with ?query=.
        accept = request.headers.get("accept", "")
        return bool(request.method == "GET" and ("text/html" in accept or "*/*" in accept))

    def render_graphql_ide(self, request: HttpRequest) -> HttpResponse:
        return render(request, "graphql/graphiql.html")

    def process_result(  # type: ignore[override]
        self, request: HttpRequest, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        data: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            data["errors"] = [format_error(error) for error in result.errors]
        extensions = dict(result.extensions or {})
        context = getattr(self, "_context", None)
        if context is not None and context.redacted:
            extensions["redacted"] = context.redacted
        if extensions:
            data["extensions"] = extensions
        return data
