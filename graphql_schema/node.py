"""`node(id:)` and `nodes(ids:)`: refetch any object by its global id, as the caller sees it.

Every lookup goes through the same backend read path as the object's own field: a record
through its type's get resolver (plan, redactions, access log), an alert only the caller's
own, a user of the caller's tenant only. An id the caller may not see answers null, exactly
like one that does not exist; so does an id that is not one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

import strawberry
from graphql.pyutils import Path
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from backend.accounts.services import tenant_user
from backend.errors import BadUserInput, NotFound
from backend.ids import InvalidId, parse_id
from backend.notifications.services import own_alert
from backend.records.services import get_any_record
from backend.workflows import reading
from graphql_schema.alerts import Alert
from graphql_schema.context import RequestContext
from graphql_schema.node_interface import Node
from graphql_schema.records.operations import RecordResolvers
from graphql_schema.records.types import UserRef
from graphql_schema.workflows.types import ApprovalInfo, FlagInfo, NoteInfo, TransitionInfo

MAX_NODE_IDS = 100

Ctx = Info[RequestContext, None]


def _uuid(node_id: str) -> uuid.UUID | None:
    """Any id that is not one answers null, like an unknown one (not INVALID_ID: a node id
    may come from a cache of any kind of object)."""
    try:
        return parse_id(node_id)
    except InvalidId:
        return None


class NodeFinder:
    """Finds one object by id among the kinds a tenant's schema knows."""

    def __init__(self, records: Mapping[str, RecordResolvers]) -> None:
        self.records = dict(records)
        self.finders: list[Callable[[Ctx, uuid.UUID], Any]] = [
            self._record,
            self._workflow_step,
            self._alert,
            self._user,
        ]

    def find(self, info: Ctx, node_id: str) -> Any:
        key = _uuid(str(node_id))
        if key is None:
            return None
        for finder in self.finders:
            found = finder(info, key)
            if found is not None:
                return found
        return None

    def _record(self, info: Ctx, key: uuid.UUID) -> dict[str, Any] | None:
        try:
            record_type = get_any_record(info.context.user, str(key)).record.record_type
            resolvers = self.records.get(record_type)
            return resolvers.get(info, str(key)) if resolvers else None
        except NotFound:
            return None

    def _workflow_step(self, info: Ctx, key: uuid.UUID) -> Node | None:
        user = info.context.user
        if (transition := reading.seen_transition(user, key)) is not None:
            return TransitionInfo.of(transition)
        if (approval := reading.seen_approval(user, key)) is not None:
            return ApprovalInfo.of(approval)
        if (flag := reading.seen_flag(user, key)) is not None:
            return FlagInfo.of(flag)
        if (note := reading.seen_note(user, key)) is not None:
            return NoteInfo.of(note)
        return None

    def _alert(self, info: Ctx, key: uuid.UUID) -> Alert | None:
        view = own_alert(info.context.user, key)
        return Alert.of(view) if view is not None else None

    def _user(self, info: Ctx, key: uuid.UUID) -> UserRef | None:
        user = tenant_user(info.context.user, key)
        return UserRef.of(user) if user is not None else None


def _at(info: Ctx, index: int) -> Ctx:
    """The info of one item of `nodes`, so its redactions name its own response path."""
    raw = info._raw_info._replace(path=Path(info._raw_info.path, index, None))
    return Info(_raw_info=raw, _field=info._field)


def node_fields(records: Mapping[str, RecordResolvers]) -> list[StrawberryField]:
    finder = NodeFinder(records)

    def node(info: Ctx, id: strawberry.ID) -> Node | None:
        return finder.find(info, id)

    def nodes(info: Ctx, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODE_IDS:
            raise BadUserInput(f"Ask for at most {MAX_NODE_IDS} ids at once.", field="ids")
        return [finder.find(_at(info, index), node_id) for index, node_id in enumerate(ids)]

    return [
        strawberry.field(
            node,
            description="Any object by its id; null when there is none you may see.",
        ),
        strawberry.field(
            nodes,
            description=f"Objects by id, in the order asked (at most {MAX_NODE_IDS}); "
            "null for each you may not see.",
        ),
    ]
