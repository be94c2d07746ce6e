"""A caseworker's day against a running server: sign in, list my open cases with filters,
open one, edit it, register a child and refer the case, pull changes to the phone.

Each simulated user signs in as its own caseworker (cp_worker, cp_worker_02, ... up to
LOAD_CASEWORKERS, default 40), seeded by `python -m bench.load.seed`, with the password in
DEMO_PASSWORD. Every answer with an error (HTTP or GraphQL, top level or in a payload)
counts as a failure. Headless, stepping the users: `python -m bench.load.steps`.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import statistics
import threading
import time
from typing import Any

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("DEMO_PASSWORD", "")
CASEWORKERS = int(os.environ.get("LOAD_CASEWORKERS", "40"))
_numbers = itertools.count(1)
_numbers_lock = threading.Lock()

LOGIN = """mutation Login($username: String!, $password: String!) {
  login(tenant: "demo", username: $username, password: $password) {
    accessToken refreshToken
  }
}"""
REFRESH = """mutation Refresh($token: String!) {
  refreshToken(refreshToken: $token) { accessToken refreshToken }
}"""
FORMS = """query Forms { forms(recordType: "case") { key fields { name } } }"""
REGISTER_DEVICE = """mutation Device {
  registerDevice(name: "load phone", platform: "android") { device { id } errors { code } }
}"""
LIST = """query MyCases($filter: CaseFilter) {
  cases(first: 20, filter: $filter, orderBy: [{field: UPDATED_AT, direction: DESC}]) {
    edges { node { id shortId revision status nameFirst nameLast sex age registrationDate } }
  }
}"""
OPEN = """query OpenCase($id: ID!) {
  case(id: $id) {
    id shortId revision status workflowStage owner { username }
    nameFirst nameLast sex dateOfBirth age protectionConcerns registrationDate
    registrationNotes flags { reason } transitions { kind status }
  }
}"""
EDIT = """mutation EditCase($id: ID!, $rev: Int!, $input: CaseInput!) {
  updateCase(id: $id, baseRevision: $rev, input: $input) {
    case { id revision } errors { code }
  }
}"""
REGISTER = """mutation Register($input: CaseInput!) {
  createCase(input: $input) { case { id revision } errors { code } }
}"""
REFER = """mutation Refer($id: ID!, $forms: [String!]!) {
  referCase(id: $id, toUser: "referral_worker", forms: $forms, note: "health follow-up") {
    transition { id } errors { code }
  }
}"""
PULL = """query Pull($device: ID!, $since: String) {
  syncPull(deviceId: $device, since: $since, first: 100, recordTypes: ["case"]) {
    cursor hasMore items { id revision values } tombstones { id reason }
  }
}"""
CHILD = {
    "registrationDate": "2026-01-10",
    "nameFirst": "Amina",
    "sex": "female",
    "dateOfBirth": "2015-04-02",
    "protectionConcerns": ["separated"],
    "consentToShareWithReferral": True,
    "hasChronicCondition": False,
}
FILTERS = [
    {"status": {"eq": "OPEN"}},
    {"status": {"eq": "OPEN"}, "sex": {"eq": "female"}},
    {"registrationDate": {"gte": "2025-01-01"}},
    {"flagged": {"eq": False}, "status": {"in": ["OPEN", "REOPENED"]}},
]


# Requests of the day (after each user's sign-in and set-up): (name, started, ms, failed).
_day: list[tuple[str, float, float, bool]] = []


@events.request.add_listener
def _record(
    name: str, response_time: float, exception: Any, context: dict[str, Any], **_: Any
) -> None:
    if context.get("phase") == "day":
        _day.append((name, time.time(), response_time, exception is not None))


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] if len(values) > 1 else values[0]


@events.quitting.add_listener
def _write_summary(**_: Any) -> None:
    """With LOAD_SUMMARY set, write the day's figures there as JSON: the sign-ins that open
    each user's session are left out (their cost is argon2, once per session)."""
    path = os.environ.get("LOAD_SUMMARY")
    if not path or len(_day) < 2:
        return
    times = sorted(ms for _, _, ms, _ in _day)
    span = max(at for _, at, _, _ in _day) - min(at for _, at, _, _ in _day)
    summary = {
        "requests": len(_day),
        "failures": sum(failed for *_, failed in _day),
        "rps": len(_day) / max(span, 1.0),
        "p50_ms": statistics.median(times),
        "p95_ms": _p95(times),
        "max_ms": times[-1],
        "p95_ms_by_name": {
            name: _p95([ms for n, _, ms, _ in _day if n == name])
            for name in sorted({n for n, *_ in _day})
        },
    }
    with open(path, "w") as out:
        json.dump(summary, out, indent=1)


def _username(number: int) -> str:
    n = (number - 1) % CASEWORKERS + 1
    return "cp_worker" if n == 1 else f"cp_worker_{n:02d}"


class Caseworker(HttpUser):
    wait_time = between(1, 3)  # reading the screen between clicks

    def on_start(self) -> None:
        with _numbers_lock:
            self.username = _username(next(_numbers))
        self.token = ""
        self.refresh = ""
        self.case_ids: list[str] = []
        self.since: str | None = None
        self.sign_in()
        forms = self.graphql("forms", FORMS)["forms"]
        self.referral_forms = [
            next(f["key"] for f in forms if any(x["name"] == "name_first" for x in f["fields"]))
        ]
        device = self.graphql("registerDevice", REGISTER_DEVICE, payload="registerDevice")
        self.device = device["device"]["id"] if device else None
        self.in_day = True
        self.list_cases()

    def context(self) -> dict[str, Any]:
        return {"phase": "day" if getattr(self, "in_day", False) else "start"}

    def graphql(
        self, name: str, query: str, variables: dict[str, Any] | None = None, payload: str = ""
    ) -> Any:
        """POST one operation; a failure unless 200 with data and no error (in `payload`'s
        `errors` as well, for a mutation)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        with self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            name=name,
            catch_response=True,
        ) as response:
            try:
                body = response.json()
            except ValueError:
                response.failure(f"{response.status_code}: not JSON")
                return None
            codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
            data = body.get("data") or {}
            if payload and data.get(payload):
                codes += [e["code"] for e in data[payload].get("errors") or []]
            if response.status_code != 200 or codes:
                response.failure(f"{response.status_code} {codes}")
                return None
            response.success()
            return data[payload] if payload else data

    def sign_in(self) -> None:
        self.token = ""
        tokens = self.graphql(
            "login", LOGIN, {"username": self.username, "password": PASSWORD}, "login"
        )
        if tokens:
            self.token, self.refresh = tokens["accessToken"], tokens["refreshToken"]

    @task(1)
    def refresh_session(self) -> None:
        token, self.token = self.token, ""
        tokens = self.graphql("refreshToken", REFRESH, {"token": self.refresh}, "refreshToken")
        if tokens:
            self.token, self.refresh = tokens["accessToken"], tokens["refreshToken"]
        else:
            self.token = token
            self.sign_in()

    @task(6)
    def list_cases(self) -> None:
        data = self.graphql("list cases", LIST, {"filter": random.choice(FILTERS)})
        if data and data["cases"]:
            self.case_ids = [edge["node"]["id"] for edge in data["cases"]["edges"]]

    @task(4)
    def open_case(self) -> None:
        if self.case_ids:
            self.graphql("open case", OPEN, {"id": random.choice(self.case_ids)})

    @task(2)
    def edit_case(self) -> None:
        if not self.case_ids:
            return
        data = self.graphql("open case", OPEN, {"id": random.choice(self.case_ids)})
        if data and data["case"]:
            case = data["case"]
            self.graphql(
                "edit case",
                EDIT,
                {
                    "id": case["id"],
                    "rev": case["revision"],
                    "input": {"registrationNotes": f"Home visit {random.randint(1, 10**6)}"},
                },
                "updateCase",
            )

    @task(1)
    def register_and_refer(self) -> None:
        created = self.graphql("register case", REGISTER, {"input": CHILD}, "createCase")
        if created:
            self.graphql(
                "refer case",
                REFER,
                {"id": created["case"]["id"], "forms": self.referral_forms},
                "referCase",
            )

    @task(2)
    def sync_pull(self) -> None:
        if self.device is None:
            return
        page = self.graphql("sync pull", PULL, {"device": self.device, "since": self.since})
        if page:
            self.since = page["syncPull"]["cursor"]
