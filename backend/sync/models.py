"""Offline sync: the devices a user syncs with, what each device holds, and pinned records."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from backend.records.models import Record
from backend.tenancy.models import Tenant


class Device(models.Model):
    """A tablet or phone that holds records offline. Revoked for good: a revoked device is
    told to wipe at its next pull, and a new registration gives a new id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="devices"
    )
    name = models.CharField(max_length=100)
    platform = models.CharField(max_length=40, blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    last_pull_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Each page a pull hands out takes the next number; its cursor names it.
    pages = models.BigIntegerField(default=0)
    # What the user could read when the device last pulled: a change resends every record.
    access_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "user"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class DeviceRecord(models.Model):
    """A record a pull sent to a device: the version sent, and the version the device
    confirmed holding (by presenting the cursor of the page that carried it)."""

    class Via(models.TextChoices):
        OWN = "own"  # owned by or associated with the user
        REFERRED = "referred"  # referred (or offered in transfer) to the user
        PINNED = "pinned"  # marked for offline by the user

    id = models.BigAutoField(primary_key=True)
    # A pull inserts a row per record sent: the tenant, held to the session's by row-level
    # security, is neither indexed nor checked per row (tenants go through the ORM's CASCADE).
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    # Only one index leads with the device: the (device, record) one. A pull looks each record
    # up there; with another index led by the device the planner, when it believes a device
    # holds few rows, scans all of them for every record.
    # Rows are inserted only by a pull holding its device's row locked: not checked per row.
    device = models.ForeignKey(
        Device,
        on_delete=models.CASCADE,
        related_name="records",
        db_index=False,
        db_constraint=False,
    )
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    sent_seq = models.BigIntegerField()
    sent_page = models.BigIntegerField()
    acked_seq = models.BigIntegerField(null=True)
    # A tombstone was sent for it; the row goes once the device confirms that page.
    gone = models.BooleanField(default=False)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.OWN)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "record"], name="one_row_per_device_record")
        ]
        indexes = [models.Index(fields=["sent_page", "device"], name="devicerecord_page_device")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.record_id}"


class OfflinePin(models.Model):
    """A record a user marked for offline: pulled to their devices while they may see it."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    pinned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "record"], name="one_pin_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.record_id}"


class PushedChange(models.Model):
    """A change a device pushed, by its client mutation id, with the answer it was given:
    the same id pushed again is answered DUPLICATE with this answer, and changes nothing."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="pushed")
    client_mutation_id = models.CharField(max_length=100)
    record_id = models.UUIDField(null=True)
    # {status, revision, conflicts, errors}, as first answered
    result = models.JSONField()
    pushed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "client_mutation_id"], name="one_answer_per_client_mutation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.client_mutation_id}"


class SyncConflict(models.Model):
    """A value a device pushed for a field that someone else had changed since the device's
    base revision, to a different value: the server value stayed, this one waits here for a
    person to decide."""

    class Resolution(models.TextChoices):
        SERVER = "server"
        CLIENT = "client"
        VALUE = "value"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    # `field` is a top-level field name; a conflict within a subform names the entry by its
    # uid, and the entry's field ("": the entry itself, edited on one side, deleted on the
    # other).
    field = models.CharField(max_length=63)
    entry_uid = models.CharField(max_length=64, blank=True, default="")
    entry_field = models.CharField(max_length=63, blank=True, default="")
    client_value = models.JSONField(null=True)
    # The value that stayed, as it was at the push (the record's current value may differ).
    server_value = models.JSONField(null=True)
    base_revision = models.PositiveIntegerField()
    server_revision = models.PositiveIntegerField()
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="+")
    pushed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    client_mutation_id = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "record", "resolved_at"]),
            models.Index(fields=["tenant", "resolved_at", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.field}"
