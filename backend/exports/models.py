"""Export jobs: who asked for which records in which form, how far it got, and its file."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from backend.tenancy.models import Tenant


class ExportJob(models.Model):
    class Format(models.TextChoices):
        CSV = "csv"
        XLSX = "xlsx"
        JSON = "json"
        PDF = "pdf"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"
        CANCELLED = "cancelled"
        EXPIRED = "expired"  # completed, then its file was purged

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    record_type = models.SlugField(max_length=63)
    format = models.CharField(max_length=8, choices=Format.choices)
    # What was asked, as the backend compiles it: stored names, kept for the audit.
    filter = models.JSONField(default=dict, blank=True)
    search = models.TextField(blank=True)
    fields = models.JSONField(default=list, blank=True)  # stored names; empty: every readable
    locale = models.CharField(max_length=35)
    # The zip password, encrypted with the server's key while the job waits; wiped after.
    sealed_password = models.TextField(blank=True)
    protected = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0)  # 0..1
    row_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=40, blank=True)  # an ErrorCode, when FAILED
    storage_name = models.CharField(max_length=255, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set by the worker after each batch: a RUNNING job without one for a while lost it.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["expires_at"], name="export_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.format} export of {self.record_type} {self.id}"

    @property
    def finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)
