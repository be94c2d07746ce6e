"""GraphQL names derived from record types and field names."""

from __future__ import annotations

from functools import lru_cache

from formengine import graphql_name


def type_name(snake: str) -> str:
    """`tracing_request` -> `TracingRequest`."""
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


@lru_cache(maxsize=8192)  # every compile names the same fields again
def field_name(snake: str) -> str:
    """`tracing_request` -> `tracingRequest`."""
    return graphql_name(snake)


def plural_field_name(snake: str) -> str:
    """`tracing_request` -> `tracingRequests`; `case` -> `cases`."""
    name = graphql_name(snake)
    return name + ("es" if name.endswith(("s", "x", "ch", "sh")) else "s")
