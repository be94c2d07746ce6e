"""The matching rules in force for a tenant, parsed once per saved document and configuration."""

from __future__ import annotations

import threading

from backend.forms.configuration import published_configuration
from backend.matching.models import MatchingRules
from backend.matching.rules import MatchingRuleSet, read_rules
from backend.tenancy.models import Tenant

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
