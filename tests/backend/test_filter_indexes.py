"""Publishing a form with filterable fields leads to per-tenant partial indexes on them (made
after the commit, CONCURRENTLY, as the owner), which the compiled filters can use; a field that
stops being filterable loses its index."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from backend.accounts.models import User
from backend.forms.services import publish_form_version, save_form_draft
from backend.records.filtering.indexes import index_name
from backend.records.finding import filtered_records
from backend.tenancy.context import tenant_transaction
from tests.eager_celery import tasks_in_process
from tests.tenants import ScratchTenant, make_tenant

pytestmark = pytest.mark.django_db

FORM: dict[str, Any] = {
    "key": "intake",
    "record_type": "case",
    "label": {"en": "Intake"},
    "fields": [
        {
            "name": "risk",
            "type": "select",
            "label": {"en": "Risk"},
            "tags": ["filterable"],
            "options": [
                {"id": "high", "label": {"en": "High"}},
                {"id": "low", "label": {"en": "Low"}},
            ],
        },
        {"name": "age", "type": "integer", "label": {"en": "Age"}, "tags": ["filterable"]},
        {"name": "urgent", "type": "boolean", "label": {"en": "Urgent"}, "tags": ["filterable"]},
        {"name": "note", "type": "text", "label": {"en": "Note"}},
    ],
}


def _publish(tenant: ScratchTenant, form: dict[str, Any]) -> None:
    with tenant_transaction(tenant.tenant.pk):
        admin = User.objects.select_related("tenant", "role").get(pk=tenant.admin.pk)
        save_form_draft(admin, form)
        publish_form_version(admin, "case", form["key"])


def _indexes(tenant_id: int) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'records_record'"
            " AND indexname LIKE %s",
            [f"rf\\_{tenant_id}\\_%"],
        )
        return dict(cursor.fetchall())


@pytest.fixture(scope="module")
def published(django_db_blocker: Any) -> ScratchTenant:
    """Committed (as a publication in production is): the index build runs after commit."""
    with django_db_blocker.unblock(), tasks_in_process():
        tenant = make_tenant()
        _publish(tenant, FORM)
    return tenant


def test_publishing_filterable_fields_creates_their_indexes(published: ScratchTenant) -> None:
    indexes = _indexes(published.tenant.pk)

    for field, operand in (("risk", "option"), ("age", "number")):
        name = index_name(published.tenant.pk, "case", field, operand)
        assert name in indexes
        assert f"tenant_id = {published.tenant.pk}" in indexes[name]
    assert any("jsonb_path_ops" in d for d in indexes.values())
    assert not any("'note'" in d for d in indexes.values())


def test_a_filter_on_an_indexed_field_can_use_its_index(published: ScratchTenant) -> None:
    with tenant_transaction(published.tenant.pk):
        admin = User.objects.select_related("tenant", "role").get(pk=published.admin.pk)
        plans = {}
        for label, spec in (
            ("risk", {"risk": {"eq": "high"}}),
            ("age", {"age": {"gte": 10}}),
            ("urgent", {"urgent": {"eq": True}}),
        ):
            records = filtered_records(admin, "case", spec)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
            plans[label] = records.explain()

    for label, plan in plans.items():
        assert f"rf_{published.tenant.pk}_" in plan, (label, plan)


@pytest.fixture(scope="module")
def republished(django_db_blocker: Any) -> tuple[ScratchTenant, dict[str, str], dict[str, str]]:
    """A tenant whose `age` stops being filterable in a second version: its indexes after
    that publication, and after the sync command runs again."""
    with django_db_blocker.unblock(), tasks_in_process():
        tenant = make_tenant()
        _publish(tenant, FORM)
        untagged = {
            **FORM,
            "fields": [{**f, "tags": []} if f["name"] == "age" else f for f in FORM["fields"]],
        }
        _publish(tenant, untagged)
        indexes = _indexes(tenant.tenant.pk)
        call_command("sync_record_indexes", tenant=tenant.slug)
        return tenant, indexes, _indexes(tenant.tenant.pk)


def test_a_field_no_longer_filterable_loses_its_index(
    republished: tuple[ScratchTenant, dict[str, str], dict[str, str]],
) -> None:
    tenant, indexes, again = republished

    assert index_name(tenant.tenant.pk, "case", "age", "number") not in indexes
    assert index_name(tenant.tenant.pk, "case", "risk", "option") in indexes
    assert again == indexes
