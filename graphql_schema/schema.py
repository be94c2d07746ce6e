"""The static part of the API, joined into one Strawberry schema."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from graphql_schema.auth import AuthMutation, AuthQuery


@strawberry.type
class Query(AuthQuery):
    pass


@strawberry.type
class Mutation(AuthMutation):
    pass


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    extensions=[
        lambda: QueryDepthLimiter(max_depth=15),
        lambda: MaxAliasesLimiter(max_alias_count=50),
    ],
)
