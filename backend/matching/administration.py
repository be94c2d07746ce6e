"""Administering a tenant's matching rules (`manage_forms`): read, checked against the
published forms, saved, and the blocking keys rebuilt after a change."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from backend.accounts.models import User
from backend.forms.configuration import published_configuration
from backend.matching.models import MatchingRules
from backend.matching.rules import MatchingRuleSet, checked_rules
from backend.matching.tasks import rebuild_match_keys
from backend.tenancy.models import Tenant
from permissions.actions import require_action


def matching_rules(user: User) -> dict[str, Any]:
    require_action(user, "manage_forms")
    row = MatchingRules.objects.filter(tenant_id=user.tenant_id).first()
    return dict(row.document) if row else {"pairs": []}


def store_rules(tenant: Tenant, document: Any) -> MatchingRuleSet:
    """Check and store a tenant's rules, and rebuild its keys once the change commits (in
    the background where a broker runs). INVALID_MATCHING_RULES with every problem."""
    rules = checked_rules(document, published_configuration(tenant))
    MatchingRules.objects.update_or_create(tenant=tenant, defaults={"document": document})
    tenant_id = tenant.pk
    transaction.on_commit(lambda: rebuild_match_keys.delay(tenant_id), robust=True)
    return rules


def save_matching_rules(user: User, document: Any) -> dict[str, Any]:
    require_action(user, "manage_forms")
    with transaction.atomic():
        store_rules(user.tenant, document)
    return dict(document)
