"""A tenant's location registry: a hierarchy of administrative areas (country = level 0)."""

from __future__ import annotations

from django.db import models

from backend.tenancy.models import Tenant

PATH_SEPARATOR = "."


class Location(models.Model):
    """One area. `path` is the materialised path of ids from the root, each followed by a
    dot (`"3.17.204."`): the subtree of a location is every path that starts with its own."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="locations")
    code = models.CharField(max_length=64)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    admin_level = models.PositiveSmallIntegerField()
    # {"en": "Juba", "fr": "Djouba", "ar": "جوبا"}
    names = models.JSONField(default=dict)
    path = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="location_code_per_tenant")
        ]
        indexes = [
            models.Index(fields=["tenant", "admin_level", "code"]),
            models.Index(
                fields=["tenant", "path"],
                name="location_subtree",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.code
