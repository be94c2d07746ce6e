"""`alerts` and `dismissAlert`: the signed-in user's own in-app alerts."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend.notifications import services
from graphql_schema.context import RequestContext
from graphql_schema.node_interface import Node
from graphql_schema.payloads import MutationPayload, mutation_payload
from graphql_schema.scalars import DateTime


@strawberry.type(description="The record an alert is about, while the user may still see it.")
class AlertRecord:
    record_id: strawberry.ID
    record_type: str
    short_id: str


@strawberry.type
class Alert(Node):
    id: strawberry.ID
    kind: str = strawberry.field(
        description="record_changed, referral, transfer, transfer_request, approval_request, "
        "approval_result, service_overdue, ..."
    )
    message: str
    created_at: DateTime
    dismissed_at: DateTime | None
    record: AlertRecord | None = strawberry.field(
        description="Null when there is no record or the user may no longer see it."
    )

    @classmethod
    def of(cls, view: services.AlertView) -> Alert:
        alert, record = view.alert, view.record
        return cls(
            id=strawberry.ID(str(alert.pk)),
            kind=alert.kind,
            message=alert.message,
            created_at=alert.created_at,
            dismissed_at=alert.dismissed_at,
            record=(
                AlertRecord(
                    record_id=strawberry.ID(str(record.pk)),
                    record_type=record.record_type,
                    short_id=record.short_id,
                )
                if record is not None
                else None
            ),
        )


@strawberry.type
class AlertsQuery:
    @strawberry.field(description="The signed-in user's alerts, newest first (at most 500).")
    def alerts(
        self, info: Info[RequestContext, None], include_dismissed: bool = False, first: int = 100
    ) -> list[Alert]:
        views = services.user_alerts(
            info.context.user, include_dismissed=include_dismissed, limit=first
        )
        return [Alert.of(view) for view in views]


@strawberry.type
class DismissAlertPayload(MutationPayload):
    alert: Alert | None = None


@strawberry.type
class AlertsMutation:
    @strawberry.mutation(description="Dismiss one of your alerts; NOT_FOUND for anyone else's.")
    @mutation_payload
    def dismiss_alert(
        self,
        info: Info[RequestContext, None],
        id: strawberry.ID,
        client_mutation_id: str | None = None,
    ) -> DismissAlertPayload:
        return DismissAlertPayload(alert=Alert.of(services.dismiss_alert(info.context.user, id)))
