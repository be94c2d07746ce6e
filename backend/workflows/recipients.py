"""Whether the recipient of an assignment, transfer or referral could then read the record."""

from __future__ import annotations

from collections.abc import Sequence

from backend.accounts.models import User
from backend.errors import NotFound
from backend.records.access import access_plan
from backend.records.models import Record
from backend.workflows.errors import RecipientCannotAccess
from permissions.plan import AccessPlan


def require_recipient_access(
    recipient: User, record: Record, forms: Sequence[str] | None = None
) -> None:
    """RECIPIENT_CANNOT_ACCESS unless the recipient could read the record after the step.

    Assignment and transfer make the recipient the owner (a pending transfer already shares
    every form), so the record is in their scope whatever their role's scope: they could read
    it when their role may `read` the record type and at least one of its fields is readable
    to them (a form their role may read, a field no tag rule hides).

    On a record of a module, only the module's fields count, and only when the module is
    granted to the recipient.

    A referral (`forms` given) shares only the chosen forms: the role must `read` the record
    type and read at least one field of every chosen form; a form of which the recipient
    could read nothing would be shared in name only, so it is refused and named.
    """
    try:
        plan: AccessPlan | None = access_plan(recipient, record.record_type)
    except NotFound:  # a record type no longer in use
        plan = None
    who = recipient.username
    kind = record.record_type.replace("_", " ")
    # only the fields of the record's module, and none if it is not granted to them
    readable = plan.module_access(record.module).readable if plan is not None else frozenset()
    if plan is None or not plan.can_read or not readable:
        raise RecipientCannotAccess(
            f"{who} cannot read {kind} records.", field="toUser", toUser=who
        )
    if forms is None:
        return
    readable_forms = {key for name in readable for key in plan.form_of.get(name, ())}
    unreadable = sorted(set(forms) - readable_forms)
    if unreadable:
        raise RecipientCannotAccess(
            f"{who} could read nothing of the forms {', '.join(unreadable)}.",
            field="forms",
            toUser=who,
            forms=unreadable,
        )
