"""Who read which record, and when. Append-only: the runtime role may only insert and read."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backend.tenancy.models import Tenant


class AccessLog(models.Model):
    class Action(models.TextChoices):
        READ = "read"  # opened one record
        LIST = "list"  # the record was on a page of a list
        HISTORY = "history"  # read its history
        DOWNLOAD = "download"  # downloaded one of its attachments
        EXPORT = "export"  # was in an export; `detail` names the export job

    # A list page or a sync page appends hundreds of rows in one statement: each foreign key
    # the database checks is a lookup per row at commit, each index an insert per row. The
    # row-level security policy already holds the tenant to the session's and the user is
    # the caller (PROTECT still guards deletions, in the ORM); the log is read by record.
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    record_id = models.UUIDField(db_index=True)
    record_type = models.SlugField(max_length=63, db_index=False)
    action = models.CharField(max_length=10, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.record_id}"
