"""Schemathesis generates GraphQL documents for every root field of the schema a caller sees;
each one is posted to a live server and its answer checked for what a client must never get."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import graphql
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode

from tests.fuzz.hostile_values import HOSTILE_STRINGS, with_hostile_strings

TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/')


def _json_value_node(value: Any) -> graphql.ValueNode:
    if value is None:
        return graphql.NullValueNode()
    if isinstance(value, bool):
        return graphql.BooleanValueNode(value=value)
    if isinstance(value, int):
        return graphql.IntValueNode(value=str(value))
    if isinstance(value, float):
        return graphql.FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return graphql.StringValueNode(value=value)
    if isinstance(value, list):
        return graphql.ListValueNode(values=tuple(_json_value_node(item) for item in value))
    return graphql.ObjectValueNode(
        fields=tuple(
            graphql.ObjectFieldNode(name=graphql.NameNode(value=key), value=_json_value_node(item))
            for key, item in value.items()
        )
    )


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.from_regex(r"[_A-Za-z][_0-9A-Za-z]{0,10}", fullmatch=True), children)
    ),
    max_leaves=8,
)
# The platform's JSON scalar takes any JSON value, written inline in the document.
schemathesis.graphql.scalar("JSON", _JSON_VALUES.map(_json_value_node))
# A file arrives only in a multipart request; in a JSON document an Upload is whatever JSON
# a client puts there, which the server must refuse with a code.
schemathesis.graphql.scalar("Upload", _JSON_VALUES.map(_json_value_node))

# Strings may hold NUL and lone surrogates (JSON escapes them): bad input a client can send.
FUZZ_CONFIG = SchemathesisConfig.from_dict({"generation": {"allow-x00": True}})
FUZZ_CONFIG.projects.get_default().generation.codec = None


@dataclass(frozen=True)
class Failure:
    caller: str
    operation: str
    status: int
    problem: str
    body: dict[str, Any]

    @property
    def signature(self) -> tuple[str, str, int, str]:
        return (self.caller, self.operation, self.status, self.problem)

    def describe(self) -> str:
        reproducer = json.dumps(self.body, ensure_ascii=True)
        heading = f"[{self.caller}] {self.operation}: HTTP {self.status}, {self.problem}"
        return f"{heading}\n  {reproducer}"


@dataclass
class FuzzReport:
    requests: int = 0
    operations: int = 0
    failures: dict[tuple[str, str, int, str], Failure] = field(default_factory=dict)

    def record(self, failure: Failure) -> None:
        """Keep the shortest failing body for each distinct failure."""
        known = self.failures.get(failure.signature)
        if known is None or len(json.dumps(failure.body)) < len(json.dumps(known.body)):
            self.failures[failure.signature] = failure


def problem_in_answer(status: int, text: str) -> str | None:
    """What is wrong with an answer, or None when a client may receive it."""
    if any(marker in text for marker in TRACEBACK_MARKERS):
        return "traceback in the answer"
    try:
        answer = json.loads(text)
    except ValueError:
        return f"answer is not JSON: {text[:80]!r}" if status >= 500 else None
    errors = answer.get("errors") if isinstance(answer, dict) else None
    for error in errors or []:
        code = (error.get("extensions") or {}).get("code")
        if code == "INTERNAL_SERVER_ERROR":
            return f"INTERNAL_SERVER_ERROR at {error.get('path')}"
        if not code:
            return f"error without extensions.code: {str(error.get('message'))[:80]}"
    if status >= 500:
        return "server error"
    return None


def fuzz_caller(
    base: str,
    caller: str,
    token: Callable[[], str | None],
    seconds: float,
    examples: int,
    report: FuzzReport,
) -> None:
    """Fuzz every root field of the caller's schema for at most `seconds`, shared evenly.

    `token` answers a valid bearer token for the caller (None for an anonymous one), signing in
    again when a fuzzed mutation ended the session."""
    endpoint = f"{base}/graphql"
    session = requests.Session()

    def headers() -> dict[str, str]:
        bearer = token()
        return {"Authorization": f"Bearer {bearer}"} if bearer else {}

    schema = schemathesis.graphql.from_url(endpoint, config=FUZZ_CONFIG, headers=headers())
    operations = [result.ok() for result in schema.get_all_operations()]
    deadline = time.monotonic() + seconds
    for index, operation in enumerate(operations):
        share = max(deadline - time.monotonic(), 0) / (len(operations) - index)
        target = Target(caller, endpoint, session, headers())
        _fuzz_operation(operation, target, time.monotonic() + share, examples, report)
        report.operations += 1


_HOSTILE_OR_KEPT = st.none() | st.sampled_from(HOSTILE_STRINGS)


def _request_body(schema: graphql.GraphQLSchema, query: str, data: st.DataObject) -> dict:
    """The generated document, with some of its strings swapped for hostile variables."""
    try:
        return with_hostile_strings(schema, query, lambda: data.draw(_HOSTILE_OR_KEPT))
    except graphql.GraphQLError:  # a deliberately broken document stays as it is
        return {"query": query}


class TimeUp(Exception):
    """The operation's share of the time is spent; ends its Hypothesis run early."""


@dataclass(frozen=True)
class Target:
    caller: str
    endpoint: str
    session: requests.Session
    headers: dict[str, str]


def _fuzz_operation(
    operation: Any, target: Target, deadline: float, examples: int, report: FuzzReport
) -> None:
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, data=st.data())
    def send(case: Any, data: st.DataObject) -> None:
        body = _request_body(operation.schema.client_schema, case.body, data)
        # After the draws: Hypothesis replays this example and must see the same ones.
        if time.monotonic() > deadline:
            raise TimeUp
        response = target.session.post(
            target.endpoint, json=body, headers=target.headers, timeout=30
        )
        report.requests += 1
        problem = problem_in_answer(response.status_code, response.text)
        if problem:
            report.record(
                Failure(target.caller, operation.label, response.status_code, problem, body)
            )

    with contextlib.suppress(TimeUp):
        send()
