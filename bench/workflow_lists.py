"""10 cases against 100 cases, each with every workflow list (transitions, approvals, flags,
notes, alerts) and its owner, over HTTP with auth. Prints milliseconds, the ratio of 100 to
10 (target: within 3x) and the SQL queries of each request.

Run: .venv/bin/python -m bench.workflow_lists   (uses a throwaway database on the same server)
"""

from __future__ import annotations

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import User
from backend.demo.seed import seed_demo
from backend.notifications.models import Alert
from backend.records.models import Record
from backend.records.services import create_record
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from backend.workflows.models import Approval, Flag, Note, Transition
from bench.case_list import PASSWORD, median_ms
from bench.database import bench_database

PAGE_SIZES = (10, 100)
TARGET_RATIO = 3.0
CASES_PAGE = """
query($first: Int!) {
  cases(first: $first) { edges { node {
    id shortId
    owner { username fullName }
    transitions { id kind status fromUser { username } toUser { username } forms note }
    approvals { approvalType status requestedBy { username } respondedBy { username } comment }
    flags { id reason flaggedBy { username } removalNote }
    notes { id subject body author { username } }
    alerts { id kind message record { recordId recordType shortId } }
  } } }
}
"""


def build_cases(demo: Tenant, count: int) -> None:
    """`count` cases of cp_worker, each with two rows in every workflow list."""
    with tenant_transaction(demo.pk):
        users = User.objects.select_related("tenant", "role", "agency").filter(tenant=demo)
        worker = users.get(username="cp_worker")
        supervisor = users.get(username="cp_supervisor")
        first = create_record(
            worker,
            "case",
            {"registration_date": "2026-01-10", "name_first": "Amina", "sex": "female"},
        ).record
        assert first is not None
        records = [
            first,
            *Record.objects.bulk_create(
                Record(
                    tenant=demo,
                    record_type="case",
                    short_id=f"wl{n:06d}",
                    owner=worker,
                    created_by=worker,
                    agency_id=worker.agency_id,
                    group_ids=first.group_ids,
                    data=first.data,
                    form_versions=first.form_versions,
                )
                for n in range(count - 1)
            ),
        ]
        Transition.objects.bulk_create(
            Transition(
                tenant=demo,
                record=record,
                kind=kind,
                status=Transition.Status.PENDING,
                from_user=worker,
                to_user=supervisor,
                forms=["registration"] if kind == Transition.Kind.REFERRAL else [],
            )
            for record in records
            for kind in (Transition.Kind.ASSIGNMENT, Transition.Kind.REFERRAL)
        )
        Approval.objects.bulk_create(
            Approval(tenant=demo, record=record, approval_type=kind, requested_by=worker)
            for record in records
            for kind in ("assessment", "case_plan")
        )
        Flag.objects.bulk_create(
            Flag(tenant=demo, record=record, reason="Home visit", flagged_by=supervisor)
            for record in records
            for _ in range(2)
        )
        Note.objects.bulk_create(
            Note(tenant=demo, record=record, author=author, body="Seen today")
            for record in records
            for author in (worker, supervisor)
        )
        Alert.objects.bulk_create(
            Alert(tenant=demo, user=worker, record=record, kind=kind, message=kind)
            for record in records
            for kind in ("referral", "record_changed")
        )


def main() -> None:
    with bench_database():
        seed_demo(PASSWORD)
        demo = Tenant.objects.get(slug="demo")
        build_cases(demo, max(PAGE_SIZES))
        client = Client()
        login = client.post(
            "/graphql",
            json.dumps(
                {
                    "query": (
                        'mutation { login(tenant: "demo", username: "cp_worker", '
                        f'password: "{PASSWORD}") {{ accessToken }} }}'
                    )
                }
            ),
            content_type="application/json",
        ).json()
        token = login["data"]["login"]["accessToken"]

        def request(first: int) -> bytes:
            response = client.post(
                "/graphql",
                json.dumps({"query": CASES_PAGE, "variables": {"first": first}}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            assert response.status_code == 200
            return response.content

        queries = {}
        for first in PAGE_SIZES:
            with CaptureQueriesContext(connection) as captured:
                payload = json.loads(request(first))
            assert "errors" not in payload, payload.get("errors")
            assert len(payload["data"]["cases"]["edges"]) == first
            queries[first] = len(captured.captured_queries)
        times = {
            first: median_ms(lambda first=first: request(first), repeat=5) for first in PAGE_SIZES
        }

    small, large = PAGE_SIZES
    ratio = times[large] / times[small]
    print("cases with owner and every workflow list (2 rows each), over HTTP with auth")
    print(f"{'page':<12}{'median ms':>10}{'queries':>9}")
    for first in PAGE_SIZES:
        print(f"{f'{first} cases':<12}{times[first]:>10.1f}{queries[first]:>9}")
    verdict = "within" if ratio <= TARGET_RATIO else "over"
    print(f"{large} / {small}: {ratio:.1f}x ({verdict} the {TARGET_RATIO:.0f}x target)")


if __name__ == "__main__":
    main()
