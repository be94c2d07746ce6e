"""Tenants and the organisations inside them."""

from django.db import models


class Tenant(models.Model):
    slug = models.SlugField(max_length=63, unique=True)
    name = models.CharField(max_length=200)
    default_locale = models.CharField(max_length=10, default="en")
    locales = models.JSONField(default=list)
    # Record types this tenant works with, e.g. ["case", "incident", "tracing_request"].
    record_types = models.JSONField(default=list)
    # Approval types, workflow stages, closure rule, incident field map: see workflows/config.py
    workflow = models.JSONField(default=dict)
    # Attachment field type -> accepted content types, where not the defaults (attachments/
    # allow_list.py).
    attachment_types = models.JSONField(default=dict, blank=True)
    # Bumped on every publish; the schema registry keys compiled schemas on it.
    config_version = models.PositiveIntegerField(default=0)
    # The query cost budget of this tenant's requests; null: the QUERY_COST_LIMIT setting.
    query_cost_limit = models.PositiveIntegerField(null=True, blank=True)
    # Aggregate counts under this are shown as "<N" to roles without exact counts (reports)
    small_cell_threshold = models.PositiveSmallIntegerField(default=5)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.slug


class Agency(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="agencies")
    code = models.SlugField(max_length=63)
    name = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="agency_code_per_tenant")
        ]

    def __str__(self) -> str:
        return self.code


class UserGroup(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="user_groups")
    code = models.SlugField(max_length=63)
    name = models.CharField(max_length=200)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="user_group_code_per_tenant")
        ]

    def __str__(self) -> str:
        return self.code
