"""Form changes may not break the matching rules: the guard a publication passes."""

from __future__ import annotations

from backend.error_codes import ErrorCode
from backend.errors import DomainError
from backend.forms.configuration import TenantConfiguration, load_configuration
from backend.matching.models import MatchingRules
from backend.matching.rules import Problems, read_rules
from backend.tenancy.models import Tenant


class BreaksMatchingRules(DomainError):
    code = ErrorCode.BREAKS_MATCHING_RULES


def introduced_problems(
    document: object, before: TenantConfiguration, after: TenantConfiguration
) -> Problems:
    """The fields the rules compare that `before` published and `after` removes."""
    old = {tuple(p["path"]) for p in read_rules(document, before)[1]}
    return [
        p for p in read_rules(document, after)[1] if "field" in p and tuple(p["path"]) not in old
    ]


def keep_matching_rules(tenant: Tenant, before: TenantConfiguration, cause: str) -> None:
    """Refuse the forms as the transaction now holds them if they remove a field the
    tenant's matching rules compare; `cause` ends "...compare `x`, which <cause>"."""
    document = MatchingRules.objects.filter(tenant=tenant).values_list("document", flat=True)
    stored = document.first()
    if not stored:
        return
    broken = introduced_problems(stored, before, load_configuration(tenant))
    if broken:
        names = ", ".join(dict.fromkeys(f"`{p['field']}`" for p in broken))
        raise BreaksMatchingRules(
            f"The matching rules compare {names}, which {cause}: change the matching rules first.",
            errors=[
                {
                    "path": [],
                    "code": ErrorCode.BREAKS_MATCHING_RULES,
                    "message": f"The matching rules compare `{p['field']}` "
                    f"(rules.{'.'.join(p['path'][1:])}), which {cause}.",
                }
                for p in broken
            ],
        )
