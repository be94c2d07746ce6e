"""The tenant's directory for pickers: `agencies` and `userDirectory`
(backend/tenancy/directory.py)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend.tenancy import directory
from backend.tenancy.directory import UserEntry
from graphql_schema.administration import AgencyInfo
from graphql_schema.context import RequestContext
from graphql_schema.records.types import PageInfo

PAGING = (
    f"`first`: at most {directory.MAX_PAGE_SIZE}, default {directory.DEFAULT_PAGE_SIZE}; "
    "`after`: a cursor of the previous page."
)
SEARCH = "`search`: any part of {what}, ignoring case."


@strawberry.type(description="A user as pickers show them; what `user` fields hold.")
class DirectoryUser:
    username: str = strawberry.field(description="What `user` fields and user options store.")
    full_name: str
    agency: str | None = strawberry.field(description="The user's agency code.")


@strawberry.type
class AgencyEdge:
    cursor: str
    node: AgencyInfo


@strawberry.type
class AgencyConnection:
    edges: list[AgencyEdge]
    page_info: PageInfo


@strawberry.type
class DirectoryUserEdge:
    cursor: str
    node: DirectoryUser


@strawberry.type
class DirectoryUserConnection:
    edges: list[DirectoryUserEdge]
    page_info: PageInfo


def _page_info(has_next_page: bool, cursors: list[str], after: str | None) -> PageInfo:
    return PageInfo(
        has_next_page=has_next_page,
        has_previous_page=after is not None,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )


def _user(entry: UserEntry) -> DirectoryUser:
    return DirectoryUser(username=entry.username, full_name=entry.full_name, agency=entry.agency)


@strawberry.type
class DirectoryQuery:
    @strawberry.field(
        description="The agencies of your tenant, by name: the options of fields with "
        "`optionSource {kind: agencies}` (they store `code`). "
        f"{SEARCH.format(what='code or name')} {PAGING}"
    )
    def agencies(
        self,
        info: Info[RequestContext, None],
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> AgencyConnection:
        page = directory.agencies_page(info.context.user, search=search, first=first, after=after)
        cursors = [entry.cursor for entry in page.entries]
        return AgencyConnection(
            edges=[
                AgencyEdge(cursor=cursor, node=AgencyInfo(code=entry.code, name=entry.name))
                for cursor, entry in zip(cursors, page.entries, strict=True)
            ],
            page_info=_page_info(page.has_next_page, cursors, after),
        )

    @strawberry.field(
        description="The active users of your tenant, by full name: the options of `user` "
        "fields and of fields with `optionSource {kind: users}` (they store `username`). "
        f"{SEARCH.format(what='username or full name')} `agency`: only users of this agency "
        f"(a code). {PAGING}"
    )
    def user_directory(
        self,
        info: Info[RequestContext, None],
        search: str | None = None,
        agency: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> DirectoryUserConnection:
        page = directory.user_directory_page(
            info.context.user, search=search, agency=agency, first=first, after=after
        )
        cursors = [entry.cursor for entry in page.entries]
        return DirectoryUserConnection(
            edges=[
                DirectoryUserEdge(cursor=cursor, node=_user(entry))
                for cursor, entry in zip(cursors, page.entries, strict=True)
            ],
            page_info=_page_info(page.has_next_page, cursors, after),
        )
