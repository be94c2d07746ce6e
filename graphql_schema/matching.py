"""Matching: the rules (administration, static) and the candidates (compiled per tenant:
each candidate carries its record as its compiled type, read through the read service)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.tools import create_type
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from backend.errors import BadUserInput
from backend.matching import administration, decisions, merging, services
from backend.matching.models import MatchDecision
from backend.matching.services import Candidate
from formengine import FieldDefinition, RecordSchema
from formengine.model import graphql_name
from graphql_schema.context import RequestContext
from graphql_schema.payloads import MutationPayload, mutation_payload
from graphql_schema.records.batch import PageBatch
from graphql_schema.records.fields import compiled_field, record_union
from graphql_schema.records.operations import Placements, RecordResolvers
from graphql_schema.records.redaction import response_key, selections

Ctx = Info[RequestContext, None]
MAX_INPUT_KEYS = 300
RULES_HELP = (
    "The tenant's matching rules (see the README, Matching): "
    '{"pairs": [{"source": "tracing_request", "source_subform": "persons_sought", '
    '"target": "case", "threshold": 0.6, "out_of_scope": true, "comparisons": [{"name": '
    '"name", "method": "fuzzy_name", "weight": 5, "source": [...], "target": [...]}], '
    '"blocking": [["name", "birth"]]}]}'
)


@strawberry.enum(description="How likely a candidate is: strong (0.85 and up) or likely.")
class MatchBand(Enum):
    STRONG = "strong"
    LIKELY = "likely"


@strawberry.type(description="What one comparison added to a candidate's score, and why.")
class MatchContribution:
    field: str = strawberry.field(description="The comparison's name in the rules.")
    method: str
    score: float = strawberry.field(description="0 (unlike) to 1 (alike).")
    explanation: str = strawberry.field(
        description="Why, quoting the values compared: only ever fields you may read."
    )


@strawberry.type
class MatchingRulesPayload(MutationPayload):
    rules: JSON | None = None


@strawberry.enum(description="What a person decided about a pair of records.")
class MatchDecisionKind(Enum):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    MERGED = "merged"


@strawberry.type(description="A decision on a pair of records, in both records' history.")
class MatchDecisionResult:
    first: strawberry.ID = strawberry.field(description="One record of the pair.")
    second: strawberry.ID
    decision: MatchDecisionKind
    reason: str

    @classmethod
    def of(cls, row: MatchDecision) -> MatchDecisionResult:
        return cls(
            first=strawberry.ID(str(row.first_id)),
            second=strawberry.ID(str(row.second_id)),
            decision=MatchDecisionKind(row.decision),
            reason=row.reason,
        )


@strawberry.type
class MatchDecisionPayload(MutationPayload):
    decision: MatchDecisionResult | None = None


@strawberry.type
class MergeDuplicatesPayload(MutationPayload):
    kept_id: strawberry.ID | None = strawberry.field(
        default=None, description="The kept record (read it again for its merged values)."
    )
    kept_revision: int | None = None
    merged_id: strawberry.ID | None = strawberry.field(
        default=None, description="The other record: deleted now, merged into the kept one."
    )


@strawberry.type
class MatchingQuery:
    @strawberry.field(description=RULES_HELP + " Needs manage_forms.")
    def matching_rules(self, info: Ctx) -> JSON:
        return JSON(administration.matching_rules(info.context.user))


@strawberry.type
class MatchingMutation:
    @strawberry.mutation(
        description="Replace the matching rules (manage_forms), checked against the published "
        "forms: INVALID_MATCHING_RULES with every problem, nothing saved. Blocking keys are "
        "rebuilt in the background."
    )
    @mutation_payload
    def save_matching_rules(
        self, info: Ctx, rules: JSON, client_mutation_id: str | None = None
    ) -> MatchingRulesPayload:
        return MatchingRulesPayload(
            rules=JSON(administration.save_matching_rules(info.context.user, rules))
        )

    @strawberry.mutation(
        description="The two records are about the same person (a person sought, found). "
        "You must see both; INVALID_MATCH_PAIR for a record and itself or types no rules "
        "relate. Written to both records' history."
    )
    @mutation_payload
    def confirm_match(
        self, info: Ctx, a: strawberry.ID, b: strawberry.ID, client_mutation_id: str | None = None
    ) -> MatchDecisionPayload:
        row = decisions.confirm_match(info.context.user, a, b)
        return MatchDecisionPayload(decision=MatchDecisionResult.of(row))

    @strawberry.mutation(
        description="The two records are about different people, and why: the pair is never "
        "proposed again. Written to both records' history."
    )
    @mutation_payload
    def reject_match(
        self,
        info: Ctx,
        a: strawberry.ID,
        b: strawberry.ID,
        reason: str,
        client_mutation_id: str | None = None,
    ) -> MatchDecisionPayload:
        row = decisions.reject_match(info.context.user, a, b, reason)
        return MatchDecisionPayload(decision=MatchDecisionResult.of(row))

    @strawberry.mutation(
        description="The two records (of one type) register the same person twice; needs "
        "write on the type. Written to both records' history; merge them with "
        "mergeDuplicates."
    )
    @mutation_payload
    def mark_duplicate(
        self, info: Ctx, a: strawberry.ID, b: strawberry.ID, client_mutation_id: str | None = None
    ) -> MatchDecisionPayload:
        row = decisions.mark_duplicate(info.context.user, a, b)
        return MatchDecisionPayload(decision=MatchDecisionResult.of(row))

    @strawberry.mutation(
        description="Merge `other` into `keep` (two records of one type, both yours in full): "
        '`choices` maps GraphQL field names to "keep" (the default) or "other"; subform '
        "entries of both are kept (united by uid); flags, notes, referrals, transfers, "
        "approvals, attachments and families move to the kept record; `other` is deleted, "
        "pointing to `keep`. Validated and write-guarded like an update (errors under "
        "`choices`); both histories record it."
    )
    @mutation_payload
    def merge_duplicates(
        self,
        info: Ctx,
        keep: strawberry.ID,
        other: strawberry.ID,
        choices: JSON,
        client_mutation_id: str | None = None,
    ) -> MergeDuplicatesPayload:
        user = info.context.user
        kept = merging.merge_duplicates(user, keep, other, choices)
        return MergeDuplicatesPayload(
            kept_id=strawberry.ID(str(kept.pk)),
            kept_revision=kept.revision,
            merged_id=other,
        )


def _stored_names(fields: Mapping[str, FieldDefinition] | tuple[FieldDefinition, ...]) -> dict:
    listed = fields.values() if isinstance(fields, Mapping) else fields
    return {graphql_name(f.name): f for f in listed if f.stores_value}


def stored_values(schema: RecordSchema, given: Any) -> dict[str, Any]:
    """What a client typed (GraphQL field names, subform entries as lists of objects) under
    the stored names; BAD_USER_INPUT for anything else."""
    if not isinstance(given, Mapping) or len(given) > MAX_INPUT_KEYS:
        raise BadUserInput(f"input is an object of at most {MAX_INPUT_KEYS} fields.", field="input")
    known = _stored_names(schema.fields)
    values: dict[str, Any] = {}
    for key, value in given.items():
        definition = known.get(key)
        if definition is None:
            raise BadUserInput(f"No field {key!r} on this record type.", field=f"input.{key}")
        if definition.type == "subform":
            entries = value if isinstance(value, list) else []
            children = _stored_names(definition.fields)
            value = [
                {children[k].name: v for k, v in entry.items() if k in children}
                for entry in entries[:MAX_INPUT_KEYS]
                if isinstance(entry, Mapping)
            ]
        values[definition.name] = value
    return values


def matching_fields(resolvers: dict[str, RecordResolvers]) -> list[StrawberryField]:
    """`potentialMatches` and `duplicateCandidates`, for a tenant's record types."""
    if not resolvers:
        return []
    candidate = create_type(
        "MatchCandidate",
        [
            compiled_field("record_type", str),
            compiled_field(
                "score",
                float | None,
                description="0 to 1, from the comparisons you may read; null out of scope.",
            ),
            compiled_field("band", MatchBand),
            compiled_field(
                "out_of_scope",
                bool,
                description="The record is outside your scope: no data, only its band and "
                "owning agency; ask its owner.",
            ),
            compiled_field("owning_agency", str | None),
            compiled_field(
                "source_entry",
                str | None,
                description="The uid of the subform entry matched (the person sought).",
            ),
            compiled_field("contributions", list[MatchContribution]),
            compiled_field(
                "record",
                record_union("MatchedRecord", "A proposed record, as you may read it.", resolvers)
                | None,
                description="The record as you may read it; null out of scope.",
            ),
        ],
        description="A record that may be the one described, with why.",
    )

    def potential_matches(
        info: Ctx, record_type: str, id: strawberry.ID, first: int | None = None
    ) -> Any:
        found = services.potential_matches(info.context.user, record_type, id, first)
        return _answers(info, resolvers, found)

    def duplicate_candidates(
        info: Ctx, record_type: str, input: JSON, first: int | None = None
    ) -> Any:
        resolver = resolvers.get(record_type)
        if resolver is None:
            raise BadUserInput(f"No record type {record_type!r} here.", field="recordType")
        values = stored_values(resolver.types.schema, input)
        found = services.duplicate_candidates(info.context.user, record_type, values, first)
        return _answers(info, resolvers, found)

    for resolver in (potential_matches, duplicate_candidates):
        resolver.__annotations__["return"] = list[candidate]  # type: ignore[valid-type]
    limit = f"`first`: at most {services.MAX_FIRST} (default {services.DEFAULT_FIRST})."
    return [
        strawberry.field(
            potential_matches,
            name="potentialMatches",
            description="Records that may be the one a saved record describes (each person "
            "sought of a tracing request, a case's duplicates), best first, with reasons; "
            f"rejected pairs are never proposed again. {limit}",
        ),
        strawberry.field(
            duplicate_candidates,
            name="duplicateCandidates",
            description="Before creating a record: those it may duplicate. `input` holds "
            "what was typed, under the GraphQL field names of the record type (subforms as "
            f"lists of objects). {limit}",
        ),
    ]


def _answers(
    info: Ctx, resolvers: dict[str, RecordResolvers], found: list[Candidate]
) -> list[dict[str, Any]]:
    raw = info._raw_info
    base = info.path.as_list()
    record_keys = [(response_key(r), [r]) for r in selections(raw.field_nodes, raw, "record")]
    batch = PageBatch(info.context.user, [c.view for c in found if c.view is not None])
    answers = []
    for index, candidate in enumerate(found):
        record = None
        if candidate.view is not None:
            placements: Placements = [([*base, index, r], nodes) for r, nodes in record_keys]
            record = resolvers[candidate.record.record_type].present(
                info, candidate.view, batch, placements
            )
        answers.append(
            {
                "record_type": candidate.record.record_type,
                "score": None if candidate.out_of_scope else candidate.score,
                "band": MatchBand(candidate.band),
                "out_of_scope": candidate.out_of_scope,
                "owning_agency": candidate.owning_agency,
                "source_entry": candidate.source_entry,
                "contributions": [
                    MatchContribution(
                        field=c.field, method=c.method, score=c.score, explanation=c.explanation
                    )
                    for c in candidate.contributions
                ],
                "record": record,
            }
        )
    return answers
