"""Property: for random records, roles and filters, the records a filter finds are exactly
those whose values, as that caller may read them, pass the filter evaluated in Python. A
caller whose referral shares only some forms (risk level hidden on those records) gets no
match, and no order, from a value it cannot read."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.accounts.models import User
from backend.demo.form_content import publish_content
from backend.demo.seed import DEMO_ROLES, _role
from backend.records.access import visible_records
from backend.records.finding import filtered_records, find_records
from backend.records.reading import read_records
from backend.records.services import create_record
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Agency, Tenant, UserGroup
from backend.workflows.config import DEMO_WORKFLOW
from backend.workflows.transitions import refer
from tests.graphql_client import DEMO_PASSWORD
from tests.tenants import ScratchTenant, make_tenant

pytestmark = pytest.mark.django_db

RISKS = ["low", "medium", "high"]
SEXES = ["female", "male"]
NATIONALITIES = ["afghan", "burundian", "central_african"]
SERVICES = ["health", "mental_health", "psychosocial"]
ROLES = ["cp_worker", "cp_supervisor", "cp_monitor", "referral_worker"]


def _user(tenant: Tenant, username: str) -> User:
    return User.objects.select_related("tenant", "role", "agency").get(
        tenant=tenant, username=username
    )


def _people(scratch: ScratchTenant) -> None:
    """The demo's case forms and roles in a tenant of the test's own (the demo stays as
    other tests expect it): cp_monitor hides pii, referral_worker sensitive fields."""
    tenant = scratch.tenant
    tenant.workflow = DEMO_WORKFLOW
    tenant.save(update_fields=["workflow"])
    admin = User.objects.select_related("tenant", "role").get(pk=scratch.admin.pk)
    publish_content(admin, record_types=["case"])
    agency = Agency.objects.get(tenant=tenant, code="agency")
    partner = Agency.objects.create(tenant=tenant, code="partner", name="Partner")
    team = UserGroup.objects.create(tenant=tenant, code="team", name="Team", agency=agency)
    for username in ROLES:
        role = _role(tenant, username, DEMO_ROLES[username])
        user = User.objects.create_user(
            tenant,
            username,
            DEMO_PASSWORD,
            role=role,
            agency=partner if username == "referral_worker" else agency,
        )
        user.groups.set([team])


@pytest.fixture(scope="module")
def population(django_db_blocker: Any) -> tuple[Tenant, list[str]]:
    """Random cases of cp_worker (committed once for the module); every other one referred to
    referral_worker with only the basic identity form shared."""
    rng = random.Random(13)
    created = []
    with django_db_blocker.unblock():
        scratch = make_tenant()
        tenant = scratch.tenant
        with tenant_transaction(tenant.pk):
            _people(scratch)
        with tenant_transaction(tenant.pk):
            worker = _user(tenant, "cp_worker")
            for n in range(16):
                data: dict[str, Any] = {
                    "registration_date": "2026-01-10",
                    "name_first": f"Child{n}",
                    "sex": rng.choice(SEXES),
                    "consent_to_share_with_referral": True,
                }
                if rng.random() < 0.8:
                    data["risk_level"] = rng.choice(RISKS)
                if rng.random() < 0.8:
                    data["age_approximate"] = rng.randint(0, 17)
                if rng.random() < 0.7:
                    data["has_disability"] = rng.random() < 0.5
                data["nationality"] = rng.sample(NATIONALITIES, rng.randint(0, 2))
                data["services"] = [
                    {"service_type": rng.choice(SERVICES)} for _ in range(rng.randint(0, 2))
                ]
                result = create_record(worker, "case", data)
                assert result.record is not None, result.errors
                created.append(str(result.record.pk))
                if n % 2:
                    refer(worker, str(result.record.pk), "referral_worker", ["basic_identity"])
    return tenant, created


def _ops(values: st.SearchStrategy[Any], ops: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    def one(op: str) -> st.SearchStrategy[Any]:
        if op == "is_null":
            return st.booleans()
        if op in ("in", "any_of", "all_of"):
            return st.lists(values, max_size=3)
        if op == "between":
            return st.tuples(values, values).map(lambda p: sorted(p))
        return values

    return st.sampled_from(ops).flatmap(lambda op: one(op).map(lambda v: {op: v}))


LEAVES = st.one_of(
    _ops(st.sampled_from(RISKS), ["eq", "in", "is_null"]).map(lambda o: {"risk_level": o}),
    _ops(st.sampled_from(SEXES), ["eq", "in"]).map(lambda o: {"sex": o}),
    _ops(st.integers(0, 17), ["eq", "gt", "gte", "lt", "lte", "between", "is_null"]).map(
        lambda o: {"age_approximate": o}
    ),
    _ops(st.booleans(), ["eq", "is_null"]).map(lambda o: {"has_disability": o}),
    _ops(st.sampled_from(NATIONALITIES), ["any_of", "all_of", "is_null"]).map(
        lambda o: {"nationality": o}
    ),
    st.sampled_from(SERVICES).map(lambda s: {"services": {"any": {"service_type": {"eq": s}}}}),
)
FILTERS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"and": xs}),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"or": xs}),
        inner.map(lambda x: {"not": x}),
    ),
    max_leaves=6,
)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _holds(op: str, arg: Any, value: Any) -> bool:
    if op == "is_null":
        return _empty(value) == arg
    if _empty(value):
        return op == "all_of" and not arg
    checks: dict[str, Callable[[], bool]] = {
        "eq": lambda: value == arg,
        "in": lambda: value in arg,
        "gt": lambda: value > arg,
        "gte": lambda: value >= arg,
        "lt": lambda: value < arg,
        "lte": lambda: value <= arg,
        "between": lambda: arg[0] <= value <= arg[1],
        "any_of": lambda: bool(set(value) & set(arg)),
        "all_of": lambda: set(arg) <= set(value),
    }
    return checks[op]()


def matches(spec: dict[str, Any], values: dict[str, Any]) -> bool:
    """The filter's meaning, on the values a caller reads (what it may not read is absent)."""
    for name, arg in spec.items():
        if name == "and":
            ok = all(matches(s, values) for s in arg)
        elif name == "or":
            ok = any(matches(s, values) for s in arg)
        elif name == "not":
            ok = not matches(arg, values)
        elif isinstance(arg, dict) and "any" in arg:
            ok = any(matches(arg["any"], entry) for entry in values.get(name) or [])
        else:
            ok = all(_holds(op, a, values.get(name)) for op, a in arg.items())
        if not ok:
            return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(username=st.sampled_from(ROLES), spec=FILTERS)
def test_a_filter_finds_what_the_caller_could_find_in_what_it_reads(
    population: tuple[Tenant, list[str]], username: str, spec: dict[str, Any]
) -> None:
    tenant, created = population
    with tenant_transaction(tenant.pk):
        user = _user(tenant, username)
        mine = visible_records(user, "case").filter(pk__in=created)
        views = read_records(user, "case", list(mine))
        expected = {str(v.record.pk) for v in views if matches(spec, v.values)}
        found = filtered_records(user, "case", spec).filter(pk__in=created)

        assert {str(pk) for pk in found.values_list("pk", flat=True)} == expected
        assert found.count() == len(expected)


def test_sorting_by_a_field_hidden_on_referred_records_treats_it_as_empty(
    population: tuple[Tenant, list[str]],
) -> None:
    tenant, created = population
    with tenant_transaction(tenant.pk):
        user = _user(tenant, "referral_worker")
        views = read_records(
            user, "case", list(visible_records(user, "case").filter(pk__in=created))
        )
        page = find_records(
            user,
            "case",
            filter={"sex": {"in": SEXES}},
            order=[("risk_level", False)],
            first=100,
        ).page

    assert views
    assert all("risk_level" not in v.values for v in views)
    # every risk level hidden: the order is the tie-break alone, newest first
    got = [str(r.pk) for r in page.records if str(r.pk) in created]
    newest_first = sorted(views, key=lambda v: (v.record.created_at, v.record.pk), reverse=True)
    assert got == [str(v.record.pk) for v in newest_first]
