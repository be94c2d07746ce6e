"""`node(id:)` and `nodes(ids:)`: refetch any object by its global id, as the caller sees it.

Every lookup goes through the same backend read path as the object's own field: a record
through its type's get resolver (plan, redactions, access log), an alert only the caller's
own, a user of the caller's tenant only. An id the caller may not see answers null, exactly
like one that does not exist; so does an id that is not one.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import strawberry
from graphql.pyutils import Path
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from backend.accounts.services import tenant_users
from backend.errors import BadUserInput
from backend.ids import InvalidId, parse_id
from backend.notifications.services import own_alerts
from backend.records import reading as reading_records
from backend.workflows import reading
from backend.workflows.models import Approval, Flag, Transition
from graphql_schema.alerts import Alert
from graphql_schema.context import RequestContext
from graphql_schema.node_interface import Node
from graphql_schema.records.batch import PageBatch
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
    """Finds objects by id among the kinds a tenant's schema knows, each kind in one batch:
    a fixed number of queries per kind, however many ids."""

    def __init__(self, records: Mapping[str, RecordResolvers]) -> None:
        self.records = dict(records)

    def find(self, infos: Sequence[Ctx], node_ids: Sequence[str]) -> list[Any]:
        """The objects for `node_ids`, in order; `infos[i]` places the i-th in the answer."""
        keys = [_uuid(str(node_id)) for node_id in node_ids]
        wanted = [key for key in keys if key is not None]
        if not wanted:
            return [None] * len(keys)
        user = infos[0].context.user
        found: dict[uuid.UUID, Any] = {}
        records = reading_records.read_by_ids(user, wanted)
        rest = [key for key in wanted if key not in records]
        steps = reading.seen_steps(user, rest) if rest else {}
        rest = [key for key in rest if key not in steps]
        alerts = own_alerts(user, rest) if rest else {}
        rest = [key for key in rest if key not in alerts]
        users = tenant_users(user, rest) if rest else {}
        found.update({k: _step_node(step) for k, step in steps.items()})
        found.update({k: Alert.of(view) for k, view in alerts.items()})
        found.update({k: UserRef.of(u) for k, u in users.items()})
        answers: list[Any] = []
        batch = PageBatch(user, list(records.values()))
        for info, key in zip(infos, keys, strict=True):
            view = records.get(key) if key is not None else None
            resolvers = self.records.get(view.record.record_type) if view is not None else None
            if view is not None and resolvers is not None:
                answers.append(resolvers.present_here(info, view, batch))
            else:
                answers.append(found.get(key) if key is not None else None)
        return answers


def _step_node(step: Any) -> Node:
    if isinstance(step, Transition):
        return TransitionInfo.of(step)
    if isinstance(step, Approval):
        return ApprovalInfo.of(step)
    if isinstance(step, Flag):
        return FlagInfo.of(step)
    return NoteInfo.of(step)


def _at(info: Ctx, index: int) -> Ctx:
    """The info of one item of `nodes`, so its redactions name its own response path."""
    raw = info._raw_info._replace(path=Path(info._raw_info.path, index, None))
    return Info(_raw_info=raw, _field=info._field)


def node_fields(records: Mapping[str, RecordResolvers]) -> list[StrawberryField]:
    finder = NodeFinder(records)

    def node(info: Ctx, id: strawberry.ID) -> Node | None:
        found: Node | None = finder.find([info], [id])[0]
        return found

    def nodes(info: Ctx, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODE_IDS:
            raise BadUserInput(f"Ask for at most {MAX_NODE_IDS} ids at once.", field="ids")
        return finder.find([_at(info, index) for index in range(len(ids))], ids)

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
