"""Modules: a tenant's programmes (child protection, GBV, ...) side by side, each with its
own forms per record type. Users are granted modules (their role's and their own); every
record of a record type that has modules belongs to exactly one (`Record.module`)."""

from __future__ import annotations

from django.db import models

from backend.tenancy.models import Tenant


class Module(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="modules")
    key = models.SlugField(max_length=63)
    # {"en": "Child protection", "fr": "Protection de l'enfance"}
    label = models.JSONField(default=dict)
    # {"case": ["registration", ...], "incident": [...]}: form keys per record type
    record_types = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="module_key_per_tenant")
        ]
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    def document(self) -> dict[str, object]:
        """The module as declared (what `save_module` takes and a bundle exports)."""
        return {"key": self.key, "label": self.label, "record_types": self.record_types}
