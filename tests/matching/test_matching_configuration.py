"""Matching as configuration and as background work: a publication may not remove a field the
rules compare, the rules travel in the configuration bundle, and a new tracing request is
matched after it commits, its owner alerted of strong matches."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from backend.deployment.bundle import FORMAT, VERSION
from backend.deployment.services import InvalidConfigurationBundle, export_bundle, import_bundle
from backend.matching.demo_rules import DEMO_MATCHING_RULES
from backend.matching.models import MatchingRules
from backend.notifications.models import Alert, OutboxEvent
from backend.tenancy.models import Tenant
from tests.graphql_client import gql, payload_codes
from tests.graphql_schema.test_records_api import publish
from tests.matching.test_matching_api import (
    MUHAMMAD,
    SOUGHT,
    create_case,
    create_tracing_request,
    token,
    tripoli,  # noqa: F401 (autouse: the demo location the cases name)
)

pytestmark = pytest.mark.django_db

BASIC_IDENTITY = Path("backend/demo/content/case/basic_identity.json")
ALERTS = "query { alerts { kind message record { recordId recordType } } }"


def demo() -> Tenant:
    return Tenant.objects.get(slug="demo")


def without(document: dict[str, Any], name: str) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    changed["fields"] = [f for f in changed["fields"] if f["name"] != name]
    return changed


def test_a_publication_removing_a_compared_field_is_refused_naming_it() -> None:
    admin = token("admin")
    form = json.loads(BASIC_IDENTITY.read_text())

    body = publish(admin, without(form, "name_nickname"))["data"]["publishFormVersion"]

    assert body["formVersion"] is None
    # both pairs compare it on cases (tracing request -> case, case -> case)
    assert {e["code"] for e in body["errors"]} == {"BREAKS_MATCHING_RULES"}
    assert body["errors"][0]["message"].startswith(
        "The matching rules compare `name_nickname` (rules.pairs.0.comparisons.0.target.3), "
        "which version 2 of form `basic_identity` removes"
    )


def test_a_publication_removing_a_field_no_rule_compares_goes_through() -> None:
    admin = token("admin")
    form = json.loads(BASIC_IDENTITY.read_text())
    compared = {
        name
        for pair in DEMO_MATCHING_RULES["pairs"]
        for comparison in pair["comparisons"]
        for name in comparison["target"]
    }
    spare = next(
        f["name"]
        for f in form["fields"]
        if f["type"] == "text" and f["name"] not in compared and not f.get("required")
    )

    body = publish(admin, without(form, spare))

    assert payload_codes(body, "publishFormVersion") == []


def test_the_rules_are_a_section_of_the_configuration_bundle() -> None:
    assert export_bundle(demo())["matching_rules"] == DEMO_MATCHING_RULES


def test_a_bundle_replaces_the_rules() -> None:
    rules = copy.deepcopy(DEMO_MATCHING_RULES)
    rules["pairs"][0]["threshold"] = 0.7

    report = import_bundle(demo(), {"format": FORMAT, "version": VERSION, "matching_rules": rules})

    assert "matching_rules" in report.changes
    assert MatchingRules.objects.get(tenant=demo()).document["pairs"][0]["threshold"] == 0.7


def test_a_bundle_with_rules_the_forms_do_not_fit_imports_nothing() -> None:
    rules = copy.deepcopy(DEMO_MATCHING_RULES)
    rules["pairs"][0]["comparisons"][0]["target"] = ["name_frist"]
    bundle = {"format": FORMAT, "version": VERSION, "matching_rules": rules}

    with pytest.raises(InvalidConfigurationBundle) as refused:
        import_bundle(demo(), bundle)

    assert [(p.path, p.code) for p in refused.value.problems] == [
        ("matching_rules.pairs[0].comparisons[0].target[0]", "INVALID_MATCHING_RULES")
    ]
    assert MatchingRules.objects.get(tenant=demo()).document == DEMO_MATCHING_RULES


def test_a_bundle_whose_forms_remove_a_compared_field_is_refused() -> None:
    form = json.loads(BASIC_IDENTITY.read_text())
    bundle = {"format": FORMAT, "version": VERSION, "forms": [without(form, "name_nickname")]}

    with pytest.raises(InvalidConfigurationBundle) as refused:
        import_bundle(demo(), bundle)

    assert "BREAKS_MATCHING_RULES" in {p.code for p in refused.value.problems}


def test_a_new_tracing_request_is_matched_in_the_background_and_its_owner_alerted(
    django_capture_on_commit_callbacks: Callable[..., Any], eager_celery: None
) -> None:
    worker = token("cp_worker")
    case = create_case(worker, **MUHAMMAD)

    with django_capture_on_commit_callbacks(execute=True):
        request = create_tracing_request(worker, SOUGHT)

    body = gql(ALERTS, token=worker)
    assert "errors" not in body, body
    found = [a for a in body["data"]["alerts"] if a["kind"] == "potential_match"]
    assert len(found) == 1
    assert "may be the same person as case" in found[0]["message"]
    assert "Muhammad" not in found[0]["message"]  # short ids only, never personal data
    assert found[0]["record"] == {"recordId": request, "recordType": "tracing_request"}
    event = OutboxEvent.objects.get(kind="match_record", payload={"record_id": request})
    assert event.delivered_at is not None
    assert case  # the strong match the alert names
    assert Alert.objects.filter(kind="potential_match").count() == 1


def test_no_alert_without_a_strong_match_in_the_owners_scope(
    django_capture_on_commit_callbacks: Callable[..., Any], eager_celery: None
) -> None:
    create_case(token("cp_supervisor"), **MUHAMMAD)  # out of the worker's scope
    worker = token("cp_worker")

    with django_capture_on_commit_callbacks(execute=True):
        request = create_tracing_request(worker, SOUGHT)

    assert not Alert.objects.filter(kind="potential_match").exists()
    event = OutboxEvent.objects.get(kind="match_record", payload={"record_id": request})
    assert event.delivered_at is not None
