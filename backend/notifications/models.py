"""In-app alerts, and the outbox of side effects (e-mail) written with the change behind them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.records.models import Record
from backend.tenancy.models import Tenant


class Alert(models.Model):
    """Something a user should look at: shown in the app until they dismiss it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(Record, null=True, on_delete=models.SET_NULL, related_name="+")
    # record_changed, referral, transfer, transfer_request, approval_request, ... (snake case)
    kind = models.CharField(max_length=40)
    message = models.TextField()
    # Set for alerts raised at most once, e.g. "service_overdue:<record id>:<service uid>".
    once_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "dismissed_at", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "once_key"], condition=~Q(once_key=""), name="alert_once_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class OutboxEvent(models.Model):
    """A side effect to run after its transaction commits, relayed to Celery until delivered."""

    class Kind(models.TextChoices):
        EMAIL = "email"
        EXPORT = "export"  # run an export job (backend/exports)
        MATCH_RECORD = "match_record"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # Last handed to the broker; NULL: never (the broker was down, or the process died).
    relayed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["tenant", "relayed_at"],
                condition=Q(delivered_at__isnull=True),
                name="outbox_undelivered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"
