"""Form definitions, their versions, and lookups (option lists), per tenant."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backend.tenancy.models import Tenant


class Lookup(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="lookups")
    key = models.SlugField(max_length=100)
    # [{"id": "female", "label": {"en": "Female", "fr": "Féminin"}, "disabled": false}]
    options = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="lookup_key_per_tenant")
        ]

    def __str__(self) -> str:
        return self.key


class FormDefinition(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="forms")
    key = models.SlugField(max_length=100)
    record_type = models.SlugField(max_length=63)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="form_key_per_tenant")
        ]

    def __str__(self) -> str:
        return self.key


class FormVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        PUBLISHED = "published"
        RETIRED = "retired"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    form = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    document = models.JSONField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="form_version_number"),
            models.UniqueConstraint(
                fields=["form"], condition=models.Q(status="draft"), name="one_draft_per_form"
            ),
        ]
        ordering = ["form_id", "number"]

    def __str__(self) -> str:
        return f"{self.form_id} v{self.number}"
