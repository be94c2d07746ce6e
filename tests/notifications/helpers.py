"""Users and cases for notification tests, written straight to the database."""

from __future__ import annotations

import uuid
from typing import Any

from backend.accounts.models import User
from backend.records.models import Record


def demo_user(username: str, email: str | None = None) -> User:
    user = User.objects.get(tenant__slug="demo", username=username)
    if email is not None:
        user.email = email
        user.save(update_fields=["email"])
    return user


def make_case(owner: User, data: dict[str, Any] | None = None, **fields: Any) -> Record:
    return Record.objects.create(
        tenant_id=owner.tenant_id,
        record_type="case",
        short_id=uuid.uuid4().hex[:10],
        owner=owner,
        created_by=owner,
        agency_id=owner.agency_id,
        data=data or {},
        **fields,
    )
