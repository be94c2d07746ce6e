"""The tenant's directory, for pickers: the agencies and the active users that option-source
fields (`{"source": "agencies"}`, `{"source": "users"}`) and `user` fields hold.

Any signed-in user of the tenant may read it; of a user it shows the username, full name and
agency code, nothing else. Pages are in name order (keyset on name, then the unique code or
username), one query each; `search` matches any part of the code or name, ignoring case.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Q, QuerySet

from backend.accounts.models import User
from backend.errors import BadUserInput, Forbidden, check_text_length
from backend.records import paging
from backend.records.paging import InvalidCursor
from backend.tenancy.models import Agency

MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE = paging.MAX_PAGE_SIZE, paging.DEFAULT_PAGE_SIZE  # as records
MAX_SEARCH_LENGTH = 100
# A cursor carries a name (up to 200 characters, JSON-escaped) and a code or username.
MAX_CURSOR_LENGTH = 4096
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # what no query may carry
Entry = TypeVar("Entry")


@dataclass(frozen=True)
class AgencyEntry:
    code: str
    name: str

    @property
    def cursor(self) -> str:
        return _cursor(self.name, self.code)


@dataclass(frozen=True)
class UserEntry:
    username: str
    full_name: str
    agency: str | None  # agency code

    @property
    def cursor(self) -> str:
        return _cursor(self.full_name, self.username)


@dataclass(frozen=True)
class DirectoryPage(Generic[Entry]):
    entries: list[Entry]
    has_next_page: bool


def agencies_page(
    user: User, *, search: str | None = None, first: int | None = None, after: str | None = None
) -> DirectoryPage[AgencyEntry]:
    """`agencies`: the agencies of the caller's tenant."""
    _require_member(user)
    agencies = Agency.objects.filter(tenant_id=user.tenant_id)
    if term := _search_term(search):
        agencies = agencies.filter(Q(code__icontains=term) | Q(name__icontains=term))
    rows, has_next = _page(agencies, ("name", "code"), first, after)
    return DirectoryPage([AgencyEntry(*row) for row in rows], has_next)


def user_directory_page(
    user: User,
    *,
    search: str | None = None,
    agency: str | None = None,
    first: int | None = None,
    after: str | None = None,
) -> DirectoryPage[UserEntry]:
    """`userDirectory`: the active users of the caller's tenant (of `agency`, a code)."""
    _require_member(user)
    users = User.objects.filter(tenant_id=user.tenant_id, is_active=True)
    check_text_length("agency", agency, MAX_SEARCH_LENGTH)
    if agency is not None:
        users = users.filter(agency__code=agency, agency__tenant_id=user.tenant_id)
    if term := _search_term(search):
        users = users.filter(Q(username__icontains=term) | Q(full_name__icontains=term))
    rows, has_next = _page(users, ("full_name", "username"), first, after, "agency__code")
    return DirectoryPage([UserEntry(*row) for row in rows], has_next)


def _require_member(user: User) -> None:
    if not user.is_active or user.tenant_id is None:
        raise Forbidden("Only the tenant's active users may read its directory.")


def _search_term(search: str | None) -> str:
    check_text_length("search", search, MAX_SEARCH_LENGTH)
    return (search or "").strip()


def _page(
    queryset: QuerySet[Any],
    key: tuple[str, str],
    first: int | None,
    after: str | None,
    *extra: str,
) -> tuple[list[tuple[Any, ...]], bool]:
    """One page of rows (unique value, name, *extra), in (name, unique value) order."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadUserInput(f"first must be between 1 and {MAX_PAGE_SIZE}.", field="first")
    name, unique = key
    if after is not None:
        after_name, after_unique = _position(after)
        queryset = queryset.filter(
            Q(**{f"{name}__gt": after_name})
            | Q(**{name: after_name, f"{unique}__gt": after_unique})
        )
    rows = list(queryset.order_by(name, unique).values_list(unique, name, *extra)[: size + 1])
    return rows[:size], len(rows) > size


def _cursor(name: str, unique: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([name, unique]).encode()).decode()


def _position(cursor: str) -> tuple[str, str]:
    invalid = InvalidCursor("The cursor is not one this server gave out.", field="after")
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise invalid from None
    if not (isinstance(position, list) and len(position) == 2):
        raise invalid
    name, unique = position
    if not (isinstance(name, str) and isinstance(unique, str)) or _UNSTORABLE.search(name + unique):
        raise invalid
    return name, unique
