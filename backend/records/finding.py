"""Finding records: a filter and a sort order over the records a user may see, one page.

The filter and order are plain structures (see filtering/compiler.py); the compiled SQL
reads only what the caller may read, and the count is of the same filtered records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import QuerySet

from backend.accounts.models import User
from backend.records import paging
from backend.records.access import access_plan, list_records, record_schema
from backend.records.filtering.catalogue import Catalogue, catalogue
from backend.records.filtering.compiler import compile_filter
from backend.records.filtering.ordering import sort_keys
from backend.records.models import Record


@dataclass
class Found:
    queryset: QuerySet[Record]  # every record found, for the count
    page: paging.Page

    @cached_property
    def total_count(self) -> int:
        return self.page.total if self.page.total is not None else self.queryset.count()


WRITE_BOOKKEEPING = ("field_revs", "form_versions")


def record_catalogue(user: User, record_type: str) -> Catalogue:
    configuration, schema = record_schema(user, record_type)
    return catalogue(schema, has_modules=bool(configuration.modules.get(record_type)))


def filtered_records(
    user: User,
    record_type: str,
    filter: Mapping[str, Any] | None,
    among: QuerySet[Record] | None = None,
) -> QuerySet[Record]:
    """The records of a type the user may see (or of `among`, a narrower set of them, such
    as a search's) that match `filter`."""
    records = list_records(user, record_type) if among is None else among
    if not filter:
        return records
    plan = access_plan(user, record_type)
    return records.filter(
        compile_filter(filter, record_catalogue(user, record_type), plan, user.tenant_id)
    )


def find_records(
    user: User,
    record_type: str,
    *,
    filter: Mapping[str, Any] | None = None,
    order: Sequence[tuple[str, bool]] = (),
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    among: QuerySet[Record] | None = None,
    lead: Sequence[paging.SortKey] = (),
    count: bool = False,
) -> Found:
    """A page of the records found. `among` narrows the visible records (a search's, with
    its annotations); `lead` sorts by those annotations when no `order` is given. `count`:
    the total will be wanted (a first page counts it in the same pass)."""
    records = filtered_records(user, record_type, filter, among)
    keys = (
        sort_keys(order, record_catalogue(user, record_type), access_plan(user, record_type))
        if order
        else list(lead)
    )
    found = paging.page(
        # write bookkeeping, as large as the data and never shown: left in the database
        records.select_related("owner").defer(*WRITE_BOOKKEEPING),
        first=first,
        after=after,
        last=last,
        before=before,
        order=keys,
        count=count,
    )
    return Found(records, found)
