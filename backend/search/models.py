"""The search index: one row per normalised token of a searchable value of a record.

Each token keeps the field path it came from, so that a search matches only tokens of
fields the caller may read on that record (see backend/search/matching.py).
"""

from __future__ import annotations

from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import F

from backend.records.models import Record
from backend.tenancy.models import Tenant

# Where the short ID's tokens come from: a system field, not a form field path.
SHORT_ID_PATH = "@short_id"


class SearchToken(models.Model):
    class Kind(models.TextChoices):
        WORD = "word"  # a normalised word: matches exactly or by prefix
        SOUND = "sound"  # a sound-alike key (normalise.sound_key)
        PHONE = "phone"  # phone digits (normalise.phone_tokens)

    id = models.BigAutoField(primary_key=True)
    # indexed first in search_token_lookup
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    record_type = models.SlugField(max_length=63)
    # "name_first", "siblings.sibling_name" (a field inside a subform), or SHORT_ID_PATH
    path = models.CharField(max_length=255)
    kind = models.CharField(max_length=5, choices=Kind.choices)
    token = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(
                F("tenant"),
                F("record_type"),
                F("kind"),
                OpClass(F("token"), name="text_pattern_ops"),
                name="search_token_lookup",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.path} {self.kind}:{self.token}"
