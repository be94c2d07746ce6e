"""What happens to a record after registration: transitions, approvals, flags, notes, families."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from backend.records.models import Record
from backend.tenancy.models import Tenant

USER = settings.AUTH_USER_MODEL


def public_id_field() -> models.UUIDField:
    """The id clients see: random, so it tells nothing of other tenants or of order."""
    return models.UUIDField(default=uuid.uuid4, unique=True, editable=False)


class Transition(models.Model):
    """An assignment, referral, transfer or transfer request of one record."""

    class Kind(models.TextChoices):
        ASSIGNMENT = "assignment"
        REFERRAL = "referral"
        TRANSFER = "transfer"
        TRANSFER_REQUEST = "transfer_request"

    class Status(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"
        REJECTED = "rejected"
        DONE = "done"
        REVOKED = "revoked"

    public_id = public_id_field()
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="transitions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    from_user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    forms = models.JSONField(default=list)  # a referral's form keys
    note = models.TextField(blank=True)
    consent_overridden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    response_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "to_user", "kind", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id} -> {self.to_user_id} ({self.status})"


class Approval(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested"
        APPROVED = "approved"
        REJECTED = "rejected"

    public_id = public_id_field()
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="approvals")
    approval_type = models.SlugField(max_length=63)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    responded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.approval_type} {self.record_id} ({self.status})"


class Flag(models.Model):
    public_id = public_id_field()
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="flags")
    reason = models.TextField()
    flagged_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    flagged_at = models.DateTimeField(auto_now_add=True)
    removed_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_note = models.TextField(blank=True)

    class Meta:
        ordering = ["flagged_at", "id"]

    def __str__(self) -> str:
        return f"flag {self.record_id}"


class Note(models.Model):
    """A case note. Append-only: the runtime role may not update or delete notes."""

    public_id = public_id_field()
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note {self.record_id}"


class Family(models.Model):
    """Cases grouped as one family (siblings, a household)."""

    public_id = public_id_field()
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    members: models.ManyToManyField[Record, FamilyMember] = models.ManyToManyField(
        Record, related_name="families", through="FamilyMember"
    )

    def __str__(self) -> str:
        return self.name


class FamilyMember(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey(Family, on_delete=models.CASCADE)
    record = models.ForeignKey(Record, on_delete=models.PROTECT)
    relation = models.CharField(max_length=63, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["family", "record"], name="one_membership_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.family_id}:{self.record_id}"
