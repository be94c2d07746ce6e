"""Checks of role configuration, with messages an administrator can act on."""

from __future__ import annotations

import re
from typing import Any

from backend.errors import BadUserInput
from backend.tenancy.models import Tenant
from formengine import TAGS

CODE = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
SCOPES = ("own", "group", "agency", "all")
RECORD_ACTIONS = frozenset(
    {
        "read",
        "create",
        "write",
        "assign",
        "refer",
        "transfer",
        "flag",
        "close",
        "reopen",
        "export",
        "sync_mobile",
        "request_approval",
        "request_transfer",
        "note",
        "serve",
        "manage_referrals",
        "manage_transfers",
        "approve_own",
        "override_consent",
        "incident_from_case",
        "manage_families",
        "exact_counts",  # reports: exact small counts (backend/reports/suppression.py)
    }
)
TENANT_ACTIONS = frozenset({"manage_forms", "manage_users", "read_audit"})
APPROVAL_ACTION = re.compile(r"^approve_[a-z][a-z0-9_]*$")
FIELD_RULES = ("hidden_tags", "read_only_tags")


def check_code(value: str, what: str) -> str:
    if not CODE.match(value):
        raise BadUserInput(f"{what} must be lower-case letters, digits, '_' or '-'.", field=what)
    return value


def check_actions(tenant: Tenant, actions: Any) -> dict[str, list[str]]:
    if not isinstance(actions, dict):
        raise BadUserInput(
            'actions is an object: {"case": ["read", ...], "*": [...]}.', field="actions"
        )
    problems = []
    for record_type, names in actions.items():
        if record_type != "*" and record_type not in tenant.record_types:
            problems.append(f"unknown record type {record_type!r}")
            continue
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            problems.append(f"{record_type}: a list of action names")
            continue
        allowed = TENANT_ACTIONS if record_type == "*" else RECORD_ACTIONS
        problems += [
            f"{record_type}: unknown action {name!r}"
            for name in names
            if name not in allowed and not (record_type != "*" and APPROVAL_ACTION.match(name))
        ]
    if problems:
        raise BadUserInput(
            "The actions are not valid: " + "; ".join(problems) + ".",
            field="actions",
            problems=problems,
        )
    return {k: sorted(set(v)) for k, v in actions.items()}


def check_form_access(form_keys: set[str], access: Any) -> dict[str, str]:
    if not isinstance(access, dict):
        raise BadUserInput(
            'formAccess is an object: {"basic_identity": "rw", "*": "r"}.', field="formAccess"
        )
    problems = [f"unknown form {key!r}" for key in access if key != "*" and key not in form_keys]
    problems += [f"{key}: 'r' or 'rw'" for key, value in access.items() if value not in ("r", "rw")]
    if problems:
        raise BadUserInput(
            "The form access is not valid: " + "; ".join(problems) + ".",
            field="formAccess",
            problems=problems,
        )
    return dict(access)


def check_field_rules(rules: Any) -> dict[str, list[str]]:
    if not isinstance(rules, dict) or set(rules) - set(FIELD_RULES):
        raise BadUserInput(f"fieldRules has the keys {', '.join(FIELD_RULES)}.", field="fieldRules")
    for key, tags in rules.items():
        unknown = [t for t in tags if t not in TAGS] if isinstance(tags, list) else [tags]
        if unknown:
            raise BadUserInput(
                f"fieldRules.{key}: unknown tags {unknown}; known: {list(TAGS)}.",
                field="fieldRules",
            )
    return {k: sorted(set(v)) for k, v in rules.items()}
