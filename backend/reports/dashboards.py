"""`dashboard`: the indicators the caller's role is configured to see, each one aggregate
over what the caller may see, with small cells suppressed as in any aggregate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from backend.accounts.models import User
from backend.errors import DomainError
from backend.records.finding import record_catalogue
from backend.reports.aggregation import aggregate
from backend.reports.indicators import Indicator, resolved_filter, role_indicators
from backend.reports.tables import AggregateTable


@dataclass(frozen=True)
class IndicatorResult:
    indicator: Indicator
    title: str
    table: AggregateTable | None
    error_code: str | None = None
    error_message: str | None = None


def indicator_result(
    user: User, indicator: Indicator, locale: str, today: dt.date
) -> IndicatorResult:
    """One indicator; a definition that no longer fits the forms (or a record type the role
    may no longer read) answers its error instead of failing the whole dashboard."""
    title = indicator.title_in(locale, user.tenant.default_locale)
    try:
        catalogue = record_catalogue(user, indicator.record_type)
        table = aggregate(
            user,
            indicator.record_type,
            indicator.group_by,
            resolved_filter(indicator, user, catalogue, today),
            list(indicator.measures),
        )
    except DomainError as error:
        return IndicatorResult(indicator, title, None, str(error.code), error.message)
    return IndicatorResult(indicator, title, table)


def dashboard(
    user: User, locale: str | None = None, keys: list[str] | None = None
) -> list[IndicatorResult]:
    """The role's indicators in their configured order (only `keys`, when given)."""
    locale = locale or user.locale or user.tenant.default_locale
    today = timezone.localdate()
    return [
        indicator_result(user, indicator, locale, today)
        for indicator in role_indicators(user)
        if keys is None or indicator.key in keys
    ]
