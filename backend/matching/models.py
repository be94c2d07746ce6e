"""Matching: a tenant's rules, the blocking keys the write path keeps, and the decisions
people took on proposed pairs."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from backend.records.models import Record
from backend.tenancy.models import Tenant


class MatchingRules(models.Model):
    """A tenant's matching rules (the document `backend.matching.rules` reads and checks)."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="+")
    document = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"matching rules of {self.tenant_id}"


class MatchKey(models.Model):
    """One blocking key of a record that can be proposed as a match (the target side of a
    pair of record types): candidates are the records sharing keys with what is matched."""

    id = models.BigAutoField(primary_key=True)
    # indexed first in match_key_lookup
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    # the pair of record types the key serves: "tracing_request>case"
    pair = models.CharField(max_length=127)
    key = models.CharField(max_length=128)

    class Meta:
        indexes = [
            # covering: candidates are collected from the index alone
            models.Index(
                fields=["tenant", "pair", "key"],
                name="match_key_lookup",
                include=["record_id"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.pair} {self.key}"


class MatchProfile(models.Model):
    """What candidates are ranked on before being scored: one record's comparable values for
    a pair (`features`, see `backend.matching.profiles`), kept beside its blocking keys."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", db_index=False)
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+", db_index=False)
    pair = models.CharField(max_length=127)
    features = ArrayField(models.TextField(), default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "pair"], name="one_match_profile")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.pair}"


class MatchDecision(models.Model):
    """A person's decision on a pair of records: confirmed (the same person, found), rejected
    (never proposed again), duplicate (one person registered twice) or merged. `first` /
    `second` are ordered by id, so a pair has one row whichever way round it was decided."""

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed"
        REJECTED = "rejected"
        DUPLICATE = "duplicate"
        MERGED = "merged"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    first = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "first", "second"], name="one_match_decision")
        ]

    def __str__(self) -> str:
        return f"{self.first_id} {self.decision} {self.second_id}"
