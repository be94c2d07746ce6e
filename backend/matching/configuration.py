"""A tenant's matching rules as configuration: read, checked against the published forms,
saved (`manage_forms`), and the keys rebuilt after a change."""

from __future__ import annotations

import threading
from typing import Any

from django.db import transaction

from backend.accounts.models import User
from backend.forms.configuration import published_configuration
from backend.matching.models import MatchingRules
from backend.matching.rules import MatchingRuleSet, checked_rules, read_rules
from backend.tenancy.models import Tenant
from permissions.actions import require_action

_parsed: dict[tuple[int, object, str], MatchingRuleSet] = {}
_lock = threading.Lock()


def _tenant(tenant: Tenant | int) -> Tenant:
    return tenant if isinstance(tenant, Tenant) else Tenant.objects.get(pk=tenant)


def tenant_rules(tenant: Tenant | int) -> MatchingRuleSet:
    """The rules in force: those of the saved document that the published forms still fit
    (a pair a later publication broke is left out until an administrator saves again)."""
    tenant = _tenant(tenant)
    row = MatchingRules.objects.filter(tenant=tenant).values("document", "updated_at").first()
    if row is None:
        return MatchingRuleSet(())
    configuration = published_configuration(tenant)
    key = (tenant.pk, row["updated_at"], configuration.digest)
    rules = _parsed.get(key)
    if rules is None:
        rules, _ = read_rules(row["document"], configuration)
        with _lock:
            if len(_parsed) > 256:
                _parsed.clear()
            _parsed[key] = rules
    return rules


def matching_rules(user: User) -> dict[str, Any]:
    require_action(user, "manage_forms")
    row = MatchingRules.objects.filter(tenant_id=user.tenant_id).first()
    return dict(row.document) if row else {"pairs": []}


def store_rules(tenant: Tenant, document: Any) -> MatchingRuleSet:
    """Check and store a tenant's rules, and rebuild its keys once the change commits (in
    the background where a broker runs). INVALID_MATCHING_RULES with every problem."""
    from backend.matching.tasks import rebuild_match_keys

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
