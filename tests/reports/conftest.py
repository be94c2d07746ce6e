"""Cases created in the test, as the demo's caseworker registers them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from backend.accounts.models import User
from backend.records.models import Record
from backend.records.services import create_record
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant

MakeCases = Callable[..., list[Record]]


def demo_user(username: str) -> User:
    return User.objects.select_related("tenant", "role", "agency").get(
        tenant__slug="demo", username=username
    )


@pytest.fixture
def make_cases(db: None) -> MakeCases:
    """`make_cases(values, ..., by="cp_worker")`: one case per mapping of values."""
    tenant = Tenant.objects.get(slug="demo")

    def make(*values: dict[str, Any], by: str = "cp_worker") -> list[Record]:
        with tenant_transaction(tenant.pk):
            user = demo_user(by)
            made = []
            for data in values:
                result = create_record(
                    user,
                    "case",
                    {
                        "registration_date": "2026-01-10",
                        "name_first": "Amina",
                        "sex": "female",
                        **data,
                    },
                )
                assert result.record is not None, result.errors
                made.append(result.record)
            return made

    return make
