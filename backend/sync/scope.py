"""Which records a user's devices hold: the sync scope.

Of the records a user may see (the AccessPlan's scope, referrals and modules), a device holds
only the user's own: those they own or are associated with, those referred (or offered in
transfer) to them, and those they pinned for offline. A supervisor or an administrator with
a wide scope does not carry the whole tenant on a tablet; they pin what they need.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from django.db.models import Q

from backend.accounts.models import User
from backend.records.models import Record
from backend.records.rows import RecordRow
from backend.sync.models import DeviceRecord, OfflinePin
from permissions.plan import AccessPlan


def sync_scope(user: User, plans: Mapping[str, AccessPlan]) -> Q:
    """A filter on Record: the records of these types the user's devices hold."""
    own = Q(owner_id=user.pk) | Q(associated_user_ids__contains=[user.pk])
    pinned = Q(pk__in=OfflinePin.objects.filter(user=user).values("record_id"))
    scope = Q(pk__in=[])
    for plan in plans.values():
        referred = Q(pk__in=list(plan.referrals)) if plan.referrals else Q(pk__in=[])
        scope |= plan.visible_filter() & (own | referred | pinned)
    return scope & Q(tenant_id=user.tenant_id, deleted_at__isnull=True)


def reached_by(user: User, plan: AccessPlan, record: Record | RecordRow) -> str:
    """Why the record is on the user's devices (what its tombstone will say it lost)."""
    if record.owner_id == user.pk or user.pk in (record.associated_user_ids or ()):
        return DeviceRecord.Via.OWN
    if str(record.pk) in plan.referrals:
        return DeviceRecord.Via.REFERRED
    return DeviceRecord.Via.PINNED


def access_digest(plans: Mapping[str, AccessPlan]) -> str:
    """What the user may read, per record type: the fields at every depth and the modules.
    Changes when a role, a field rule, a form grant or a module grant changes."""
    source = {
        record_type: [
            plan.can_read,
            sorted(".".join(path) for path in plan.paths.readable),
            sorted(plan.granted),
        ]
        for record_type, plan in sorted(plans.items())
    }
    return hashlib.sha256(json.dumps(source, sort_keys=True).encode()).hexdigest()
