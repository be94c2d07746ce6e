"""The schema extension that bounds every document, and reports its cost.

Order of the checks, each before the step it protects:
- parse: at most MAX_TOKENS tokens, then at most MAX_EXPANDED_SELECTIONS selections once
  fragments are spread (DOCUMENT_TOO_LARGE, QUERY_TOO_COMPLEX). This extension does the
  parsing and its cache holds only documents within the limits, so the validation cache,
  which runs after it, never sees one that is not.
- validate: the query cost against the budget (QUERY_COST_LIMIT, or the tenant's own),
  before validation too: validating five pages of every field costs far more than
  counting them.
Every answer carries `extensions.cost: {requested, maximum}` once the cost is known.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from strawberry.extensions import SchemaExtension

from backend.errors import Unauthenticated
from graphql_schema.context import RequestContext
from graphql_schema.limits.cost import query_cost
from graphql_schema.limits.document import parse_within_limits
from graphql_schema.limits.errors import QueryTooComplex


def cost_budget(context: Any) -> int:
    """The caller's tenant's budget when it sets one, else QUERY_COST_LIMIT."""
    budget: int = settings.QUERY_COST_LIMIT
    if isinstance(context, RequestContext) and context.bearer_token():
        with contextlib.suppress(Unauthenticated):
            own = context.user.tenant.query_cost_limit
            if own is not None:
                budget = own
    return budget


class DocumentLimits(SchemaExtension):
    """Replaces strawberry's ParserCache: listed before ValidationCache."""

    cost: dict[str, int] | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None:
            context.graphql_document = parse_within_limits(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            requested = query_cost(
                context.schema._schema, document, context.operation_name, context.variables
            )
            if requested is not None:
                maximum = cost_budget(context.context)
                self.cost = {"requested": requested, "maximum": maximum}
                if requested > maximum:
                    raise QueryTooComplex(
                        f"The query costs {requested}, over the limit of {maximum}:"
                        " ask for smaller pages (first) or fewer lists."
                    )
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.cost} if self.cost else {}
