"""Property-based: the paths beside get/list/history (search, filters and order, sync pull,
matching, exports, reports, attachments, and their errors) never reveal a field, a record or
a tenant to a caller who may not read it.

Each example draws cases of several owners in both tenants (some referred to the referral
worker with a drawn subset of forms), a GBV incident and a tracing request; every user of
both tenants then goes through each path. What they may see and read comes from the oracle
in tests/permissions/side_paths_world.py (the seed's people and the form JSON), and every
raw output (response bodies, error messages, export files) is searched for the markers of
values the caller may not read anywhere.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from backend.accounts.models import User
from backend.accounts.sessions import open_session
from backend.matching.demo_rules import DEMO_MATCHING_RULES
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from tests.attachments.uploads import png, upload
from tests.permissions.side_paths_world import (
    AGENCY_NAMES,
    CONCERNS,
    RISKS,
    SEXES,
    USERS,
    Ledger,
    Rec,
    UserKey,
    build,
    marker_leaks,
    may_act,
    plan_reads,
    readable_value_leaks,
    reader,
    reads,
    worlds,
)
from tests.permissions.test_read_paths_no_leak import post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
    # Each example builds records and reads them as every user: no shrinking, the failure
    # names the user, the path and the value.
    phases=[Phase.explicit, Phase.generate],
)


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def payload_codes(payload: dict[str, Any] | None) -> list[str]:
    return [e["code"] for e in (payload or {}).get("errors") or []]


@pytest.fixture
def tokens() -> dict[UserKey, str]:
    """A session of every user, opened as a sign-in does after the password (whose hash
    takes a second or more each: sign-in is not what is tested here)."""
    opened = {}
    for tenant, username in USERS:
        with tenant_transaction(Tenant.objects.get(slug=tenant).pk):
            user = User.objects.select_related("tenant").get(tenant__slug=tenant, username=username)
            opened[(tenant, username)] = open_session(user).access_token
    return opened


@pytest.fixture
def ledger() -> Ledger:
    """Lives as long as the test: records of earlier examples stay, and count."""
    return Ledger()


@pytest.fixture
def storage(settings: Any, tmp_path: Path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    return tmp_path / "files"


def report(leaks: list[str], what: str) -> None:
    assert not leaks, f"{what}:\n" + "\n".join(sorted(set(leaks)))


# Search, filters, order and counts ------------------------------------------------------

LIST = """
query($search: String, $filter: CaseFilter, $order: [CaseOrder!]) {
  cases(first: 100, search: $search, filter: $filter, orderBy: $order) {
    totalCount edges { node { id } }
  }
}
"""
SEARCHED = [
    ("name_first",),
    ("legacy_case_number",),
    ("referring_agency",),
    ("mother_name",),
    ("siblings", "sibling_name"),
    ("services", "service_provider"),
    ("ethnicity",),  # not searchable: never finds anything
]
# GraphQL filter field -> (stored name, operator, values drawn)
FILTERS: dict[str, tuple[str, str, st.SearchStrategy[Any]]] = {
    "riskLevel": ("risk_level", "eq", st.sampled_from(RISKS)),
    "sex": ("sex", "eq", st.sampled_from(SEXES)),
    "ageApproximate": ("age_approximate", "gte", st.integers(5, 8)),
    "protectionConcerns": (
        "protection_concerns",
        "anyOf",
        st.lists(st.sampled_from(CONCERNS), min_size=1, max_size=2),
    ),
    "protectionConcernPrimary": (
        "protection_concern_primary",
        "in",
        st.lists(st.sampled_from(CONCERNS), min_size=1, max_size=2),
    ),
}
ORDERS = {
    "AGE_APPROXIMATE": "age_approximate",
    "RISK_LEVEL": "risk_level",
    "SEX": "sex",
    "PROTECTION_CONCERN_PRIMARY": "protection_concern_primary",
}
RISK_ORDER = {"high": 0, "medium": 1, "low": 2}


def _holds(op: str, arg: Any, value: Any) -> bool:
    if value in (None, []):
        return False
    if op == "eq":
        return bool(value == arg)
    if op == "gte":
        return bool(value >= arg)
    if op == "in":
        return value in arg
    return bool(set(arg) & set(value))  # anyOf


def _order_problems(
    user: UserKey, ids: list[str], ledger: Ledger, name: str, descending: bool
) -> list[str]:
    """The order must follow what the caller reads: a hidden value sorts as an empty one."""
    keys = []
    for record_id in ids:
        rec = ledger.by_id(record_id)
        if rec is None:
            continue
        readable = reads(user, rec, (name,))
        keys.append(rec.values.get(name) if readable else None)
    filled = [k for k in keys if k is not None]
    nulls = [i for i, k in enumerate(keys) if k is None]
    problems = []
    if nulls and nulls != list(range(nulls[0], nulls[0] + len(nulls))):
        problems.append(f"{user} order by {name}: empty (or hidden) values interleaved {keys}")
    if nulls and nulls[0] > 0 and nulls[-1] < len(keys) - 1:
        problems.append(f"{user} order by {name}: empty values in the middle {keys}")
    return problems + _monotone(user, name, filled, descending)


def _monotone(user: UserKey, name: str, filled: list[Any], descending: bool) -> list[str]:
    # Option values sort by their stored id or by their option order: either is fine, as
    # long as each distinct value forms one run.
    runs = [k for i, k in enumerate(filled) if i == 0 or filled[i - 1] != k]
    if len(runs) != len(set(map(repr, runs))):
        return [f"{user} order by {name}: values not grouped {filled}"]
    numbers = bool(filled) and isinstance(filled[0], int)
    if numbers and filled != sorted(filled, reverse=descending):
        return [f"{user} order by {name}: {filled} not sorted"]
    return []


@settings(SETTINGS, max_examples=2)
@given(
    drawn=worlds,
    filter_name=st.sampled_from(sorted(FILTERS)),
    searched=st.lists(st.sampled_from(SEARCHED), min_size=2, max_size=2, unique=True),
    data=st.data(),
    order=st.sampled_from(sorted(ORDERS)),
    descending=st.booleans(),
)
def test_search_filter_order_and_count_show_only_what_the_caller_may_read(
    tokens: dict[UserKey, str],
    ledger: Ledger,
    drawn: Any,
    filter_name: str,
    searched: list[tuple[str, ...]],
    data: st.DataObject,
    order: str,
    descending: bool,
) -> None:
    made = build(ledger, drawn)
    cases = [r for r in made if r.record_type == "case"]
    leaks: list[str] = []
    stored, op, values = FILTERS[filter_name]
    argument = data.draw(values)
    for user in USERS:
        token = tokens[user]
        forbidden = ledger.forbidden(user)
        reads_cases = may_act(user, "read", "case")
        # search: exactly the visible records holding the marker in a field read there
        for rec in cases[:1]:
            for path in searched:
                value = rec.values.get(path[0])
                marker = value[0][path[1]] if len(path) == 2 else value
                body, raw = post(LIST, {"search": marker}, token)
                leaks += marker_leaks(raw, forbidden - {marker}, f"{user} search")
                if not reads_cases:
                    assert codes(body) == ["FORBIDDEN"], body
                    continue
                assert "errors" not in body, body
                found = {e["node"]["id"] for e in body["data"]["cases"]["edges"]}
                expected = {
                    r.id
                    for r, where in ledger.places.get(marker, [])
                    if r.record_type == "case"
                    and reads(user, r, where)
                    and where[-1] != "ethnicity"
                }
                assert found == expected, (
                    user,
                    "search",
                    path,
                    [
                        (r.tenant, r.owner, r.referred, r.values)
                        for r in map(ledger.by_id, found ^ expected)
                        if r
                    ],
                )
                assert body["data"]["cases"]["totalCount"] == len(expected)

        # a filter and an order: refused on a field the caller may not read at all,
        # otherwise what it reads on each record decides
        variables = {
            "filter": {filter_name: {op: argument}},
            "order": [{"field": order, "direction": "DESC" if descending else "ASC"}],
        }
        body, raw = post(LIST, variables, token)
        leaks += marker_leaks(raw, forbidden, f"{user} filter")
        if not reads_cases:
            assert codes(body) == ["FORBIDDEN"], body
            continue
        refused = not plan_reads(user, "case", (stored,)) or not plan_reads(
            user, "case", (ORDERS[order],)
        )
        if refused:
            assert codes(body) == ["FORBIDDEN_FIELD"], (user, variables, body)
            assert not (body.get("data") or {}).get("cases"), body
            continue
        assert "errors" not in body, body
        ids = [e["node"]["id"] for e in body["data"]["cases"]["edges"]]
        expected = {
            r.id
            for r in ledger.visible(user, "case")
            if reads(user, r, (stored,)) and _holds(op, argument, r.values.get(stored))
        }
        assert set(ids) == expected, (user, variables, set(ids) ^ expected)
        assert body["data"]["cases"]["totalCount"] == len(expected)
        leaks += _order_problems(user, ids, ledger, ORDERS[order], descending)

        # unfiltered: the count is the caller's scope, in both tenants
        body, _ = post(LIST, {}, token)
        listed = {e["node"]["id"] for e in body["data"]["cases"]["edges"]}
        expected = {r.id for r in ledger.visible(user, "case")}
        assert listed == expected, (user, listed ^ expected)
        assert body["data"]["cases"]["totalCount"] == len(expected)
    report(leaks, "search and filters revealed")


# Sync pull ------------------------------------------------------------------------------

REGISTER = """
mutation { registerDevice(name: "Tablet", platform: "android") {
  device { id } errors { code message } } }
"""
PULL = """
query($device: ID!, $since: String) {
  syncPull(deviceId: $device, since: $since, first: 10) {
    items {
      recordType id values
      record {
        __typename
        ... on Case { id nameFirst nameLast ethnicity motherName legacyCaseNumber phoneCurrent
                      siblings { siblingName } services { serviceProvider } redactedFields }
        OTHER_TYPES
      }
    }
    tombstones { recordType id reason }
    cursor hasMore wipe
  }
}
"""
OTHER_TYPES = """
... on Incident { id survivorCode incidentDescription }
... on TracingRequest { id inquirerNameFirst persons_sought: personsSought {
                        sought: soughtNameFirst } }
"""
PULLS = {
    "demo": PULL.replace("OTHER_TYPES", OTHER_TYPES),
    "sandbox": PULL.replace("OTHER_TYPES", ""),  # cases only
}
PIN = """
mutation($type: String!, $ids: [ID!]!, $pin: Boolean!) {
  pin: pinForOffline(recordType: $type, ids: $ids) @include(if: $pin) { ids errors { code } }
  unpin: unpinForOffline(recordType: $type, ids: $ids) @skip(if: $pin) { ids errors { code } }
}
"""


def _pull_all(user: UserKey, token: str, device: str, since: str | None) -> Iterator[Any]:
    """Every page until the last, with its raw text."""
    for _ in range(50):
        body, raw = post(PULLS[user[0]], {"device": device, "since": since}, token)
        assert "errors" not in body, (user, body)
        page = body["data"]["syncPull"]
        yield page, raw
        since = page["cursor"]
        if not page["hasMore"]:
            return
    raise AssertionError("the pull did not end")


def _in_sync_scope(user: UserKey, rec: Rec | None, pinned: set[str]) -> bool:
    """Of what the user may see: their own, referred to them, or pinned."""
    if rec is None or reader(user, rec) is None:
        return False
    referred = rec.referred is not None and user == (rec.tenant, "referral_worker")
    return rec.owner == user or referred or rec.id in pinned


@settings(SETTINGS, max_examples=2)
@given(drawn=worlds)
def test_sync_pull_carries_only_the_callers_records_and_readable_values(
    tokens: dict[UserKey, str], ledger: Ledger, drawn: Any
) -> None:
    build(ledger, drawn)
    leaks: list[str] = []
    for user in USERS:
        token = tokens[user]
        body, _ = post(REGISTER, None, token)
        payload = body["data"]["registerDevice"]
        assert payload_codes(payload) == [], (user, body)
        device = payload["device"]["id"]
        # a case of someone else in the caller's sight, pinned; unpinned after the pull
        others = [r for r in ledger.visible(user, "case") if r.owner != user]
        pinned = {others[-1].id} if others else set()
        if pinned:
            body, _ = post(PIN, {"type": "case", "ids": sorted(pinned), "pin": True}, token)
            assert payload_codes(body["data"]["pin"]) == [], body
        received, tombstones, cursor, found = _sync_items(user, token, device, None, ledger)
        leaks += found
        expected = {r.id for r in ledger.records if _in_sync_scope(user, r, pinned)}
        assert received == expected, (user, "sync scope", received ^ expected)
        assert not tombstones, (user, "tombstones on a first pull", tombstones)
        if pinned:
            body, _ = post(PIN, {"type": "case", "ids": sorted(pinned), "pin": False}, token)
            assert payload_codes(body["data"]["unpin"]) == [], body
            again, tombstones, _, found = _sync_items(user, token, device, cursor, ledger)
            leaks += found
            # only the record that left: nothing about any other
            left = {i for i in pinned if not _in_sync_scope(user, ledger.by_id(i), set())}
            assert tombstones == left, (user, "tombstones", tombstones, left)
            assert not again & pinned
    report(leaks, "sync pull revealed")


def _sync_items(
    user: UserKey, token: str, device: str, since: str | None, ledger: Ledger
) -> tuple[set[str], set[str], str | None, list[str]]:
    received: set[str] = set()
    tombstones: set[str] = set()
    leaks: list[str] = []
    forbidden = ledger.forbidden(user)
    for page, raw in _pull_all(user, token, device, since):
        leaks += marker_leaks(raw, forbidden, f"{user} syncPull")
        since = page["cursor"]
        for item in page["items"]:
            rec = ledger.by_id(item["id"])
            assert rec is not None, (user, "synced a record of no test", item)
            assert reader(user, rec) is not None, (user, "synced out of sight", item)
            received.add(item["id"])
            leaks += readable_value_leaks(user, rec, item["values"], f"{user} sync values")
            typed = {k: v for k, v in (item["record"] or {}).items() if k != "redactedFields"}
            typed.pop("persons_sought", None)
            leaks += readable_value_leaks(user, rec, typed, f"{user} sync record")
        tombstones |= {t["id"] for t in page["tombstones"]}
    return received, tombstones, since, leaks


# Matching -------------------------------------------------------------------------------

CANDIDATE = """
recordType score band outOfScope owningAgency sourceEntry
contributions { field method score explanation }
record {
  ... on Case { id nameFirst nameLast motherName phoneCurrent ethnicity ageApproximate sex }
}
"""
POTENTIAL = (
    "query($type: String!, $id: ID!) { potentialMatches(recordType: $type, id: $id, first: 50) "
    "{ " + CANDIDATE + " } }"
)
DUPLICATES = (
    "query($type: String!, $input: JSON!) { duplicateCandidates(recordType: $type, "
    "input: $input, first: 50) { " + CANDIDATE + " } }"
)
PAIRS = {(p["source"], p["target"]): p for p in DEMO_MATCHING_RULES["pairs"]}


def _comparison_readable(
    user: UserKey, side: str, comparison: dict[str, Any], rec: Rec | None, subform: str | None
) -> bool:
    """A field of the comparison is filled and readable on that side (rec None: the
    caller's own input, read in full)."""
    for name in comparison[side]:
        path = (subform, name) if subform else (name,)
        if rec is None:
            if plan_reads(user, "case", path):
                return True
            continue
        values = rec.values
        if subform:
            entries = values.get(subform) or [{}]
            values = entries[0]
        if values.get(name) not in (None, "", []) and reads(user, rec, path):
            return True
    return False


def _candidate_problems(
    user: UserKey,
    ledger: Ledger,
    candidates: list[dict[str, Any]],
    pair: dict[str, Any],
    source: Rec | None,
    own: set[str],
) -> list[str]:
    problems = []
    for c in candidates:
        where = f"{user} candidate of {source.id if source else 'input'}"
        if c["recordType"] == "incident":
            problems.append(f"{where}: an incident")
        if c["outOfScope"]:
            if c["record"] is not None or c["score"] is not None or c["contributions"]:
                problems.append(f"{where}: out of scope with data {c}")
            if c["owningAgency"] not in AGENCY_NAMES[user[0]]:
                problems.append(f"{where}: agency of another tenant {c['owningAgency']}")
            continue
        target = ledger.by_id(c["record"]["id"]) if c["record"] else None
        if target is None or reader(user, target) is None:
            problems.append(f"{where}: a record out of sight in scope {c}")
            continue
        problems += readable_value_leaks(user, target, c["record"], f"{where} record")
        allowed = own | ledger.readable_markers(user, [target, *([source] if source else [])])
        by_name = {comparison["name"]: comparison for comparison in pair["comparisons"]}
        for contribution in c["contributions"]:
            comparison = by_name[contribution["field"]]
            subform = pair.get("source_subform")
            if not (
                _comparison_readable(user, "source", comparison, source, subform)
                and _comparison_readable(user, "target", comparison, target, None)
            ):
                problems.append(f"{where}: explains {contribution['field']} it may not read")
            quoted = {m for m in ledger.places if m in contribution["explanation"]}
            if quoted - allowed:
                problems.append(f"{where}: explanation quotes {sorted(quoted - allowed)}")
    return problems


@settings(SETTINGS, max_examples=2)
@given(drawn=worlds)
def test_matches_explain_only_readable_values_and_carry_no_data_out_of_scope(
    tokens: dict[UserKey, str], ledger: Ledger, drawn: Any
) -> None:
    made = build(ledger, drawn)
    leaks: list[str] = []
    nowhere = str(uuid.uuid4())
    for user in USERS:
        token = tokens[user]
        forbidden = ledger.forbidden(user)
        referred = [r for r in made if r.referred is not None]
        sources = [r for r in made if r.record_type != "case"] + [made[0], *referred[:1]]
        for rec in sources:
            body, raw = post(POTENTIAL, {"type": rec.record_type, "id": rec.id}, token)
            leaks += marker_leaks(raw, forbidden, f"{user} potentialMatches")
            if reader(user, rec) is None:
                assert not (body.get("data") or {}).get("potentialMatches"), (user, body)
                # out of sight answers as a record that does not exist (or a type the role
                # may not read at all)
                _, missing = post(POTENTIAL, {"type": rec.record_type, "id": nowhere}, token)
                assert raw.replace(rec.id, nowhere) == missing or codes(body) == ["FORBIDDEN"], (
                    user,
                    raw,
                    missing,
                )
                continue
            assert "errors" not in body, (user, body)
            pair = PAIRS.get((rec.record_type, "case"))
            found = body["data"]["potentialMatches"]
            if pair is None:
                assert found == [], (user, rec.record_type, found)
                continue
            leaks += _candidate_problems(user, ledger, found, pair, rec, set())
        # before creating a case: what the caller typed, against the cases of its tenant
        source = next(r for r in made if r.record_type == "case")
        typed = {
            "nameFirst": source.values["name_first"],
            "nameLast": source.values["name_last"],
            "sex": source.values["sex"],
            "ageApproximate": source.values["age_approximate"],
        }
        body, raw = post(DUPLICATES, {"type": "case", "input": typed}, token)
        own = {typed["nameFirst"], typed["nameLast"]}
        leaks += marker_leaks(raw, forbidden - own, f"{user} duplicateCandidates")
        if not may_act(user, "create", "case"):
            assert codes(body) == ["FORBIDDEN"], (user, body)
            continue
        assert "errors" not in body, (user, body)
        found = body["data"]["duplicateCandidates"]
        leaks += _candidate_problems(user, ledger, found, PAIRS[("case", "case")], None, own)
        in_scope = {c["record"]["id"] for c in found if not c["outOfScope"]}
        namesakes = {
            r.id
            for r in ledger.visible(user, "case")
            if r.values["name_first"] == typed["nameFirst"]
            and r.values["name_last"] == typed["nameLast"]
            and r.values["sex"] == typed["sex"]
            and reads(user, r, ("name_first",))
        }
        hidden_namesakes = [
            r
            for r in ledger.of_type("case")
            if r.tenant == user[0]
            and reader(user, r) is None
            and (r.values["name_first"], r.values["name_last"], r.values["sex"])
            == (typed["nameFirst"], typed["nameLast"], typed["sex"])
        ]
        if user[0] == "demo":  # the sandbox has no matching rules
            assert namesakes <= in_scope, (user, "a readable namesake is not proposed")
            out = [c for c in found if c["outOfScope"]]
            assert len(out) >= len(hidden_namesakes), (user, "namesakes out of scope", out)
        # incidents are never matched, in scope or not
        body, _ = post(DUPLICATES, {"type": "incident", "input": {"survivorSex": "female"}}, token)
        assert not (body.get("data") or {}).get("duplicateCandidates"), (user, body)
    report(leaks, "matching revealed")


# Exports --------------------------------------------------------------------------------

START = """
mutation($format: ExportFormat!, $filter: JSON) {
  startExport(recordType: "case", format: $format, filter: $filter) {
    export { id } errors { code message }
  }
}
"""
JOB = "query($id: ID!) { exportJob(id: $id) { status rowCount error file { url } } }"


def _download(url: str) -> str:
    response = Client().get(url.removeprefix("http://testserver"))
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]


@pytest.mark.usefixtures("storage")
@settings(SETTINGS, max_examples=2)
@given(drawn=worlds, risk=st.none() | st.sampled_from(RISKS))
def test_export_files_hold_only_readable_columns_of_visible_records(
    tokens: dict[UserKey, str],
    ledger: Ledger,
    drawn: Any,
    risk: str | None,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    build(ledger, drawn)
    leaks: list[str] = []
    the_filter = {"riskLevel": {"eq": risk}} if risk else None
    for user in USERS:
        token = tokens[user]
        forbidden = ledger.forbidden(user)
        expected = {
            r.id
            for r in ledger.visible(user, "case")
            if risk is None
            or (reads(user, r, ("risk_level",)) and r.values.get("risk_level") == risk)
        }
        for export_format in ("CSV", "JSON"):
            with django_capture_on_commit_callbacks(execute=True):
                body, raw = post(START, {"format": export_format, "filter": the_filter}, token)
            leaks += marker_leaks(raw, forbidden, f"{user} startExport")
            payload = (body.get("data") or {}).get("startExport")
            if not (may_act(user, "read", "case") and may_act(user, "export", "case")):
                assert "FORBIDDEN" in codes(body) + payload_codes(payload), (user, body)
                continue
            assert payload_codes(payload) == [], (user, body)
            body, _ = post(JOB, {"id": payload["export"]["id"]}, token)
            job = body["data"]["exportJob"]
            assert job["status"] == "COMPLETED", (user, job)
            content = _download(job["file"]["url"])
            leaks += marker_leaks(content, forbidden, f"{user} {export_format} file")
            short_ids = {r.short_id: r.id for r in ledger.records}
            if export_format == "JSON":
                exported = json.loads(content)["records"]
                got = {item["id"] for item in exported}
                for item in exported:
                    rec = ledger.by_id(item["id"])
                    if rec is not None:
                        leaks += readable_value_leaks(user, rec, item["data"], f"{user} JSON")
            else:
                rows = list(csv.reader(io.StringIO(content)))
                got = {short_ids.get(row[0].lstrip("'"), row[0]) for row in rows[1:]}
                # a column group per entry the caller reads: none counts a hidden one
                groups = {
                    int(h.split(":")[0].split()[-1]) for h in rows[0] if h.startswith("Siblings ")
                }
                most = max(
                    (
                        len(r.values["siblings"])
                        for r in ledger.visible(user, "case")
                        if r.id in expected and reads(user, r, ("siblings",))
                    ),
                    default=0,
                )
                assert len(groups) == most or not plan_reads(user, "case", ("siblings",)), (
                    user,
                    "sibling column groups",
                    len(groups),
                    most,
                )
            mine = got & {r.id for r in ledger.records}
            assert mine == expected, (user, export_format, mine ^ expected)
            assert job["rowCount"] >= len(expected)
    report(leaks, "exports revealed")


# Reports --------------------------------------------------------------------------------

AGGREGATE = """
query($groupBy: [String!]!) {
  aggregate(recordType: "case", groupBy: $groupBy) {
    cells { keys count suppressed display }
    total { count suppressed display }
    suppressionThreshold
  }
}
"""
GROUPS = {
    "sex": "sex",
    "riskLevel": "risk_level",
    "protectionConcernPrimary": "protection_concern_primary",
    "ageApproximate": "age_approximate",
}


@settings(SETTINGS, max_examples=3)
@given(drawn=worlds, key=st.sampled_from(sorted(GROUPS)))
def test_aggregates_count_the_scope_by_readable_values_and_hide_small_cells(
    tokens: dict[UserKey, str], ledger: Ledger, drawn: Any, key: str
) -> None:
    build(ledger, drawn)
    name = GROUPS[key]
    for user in USERS:
        body, raw = post(AGGREGATE, {"groupBy": [key]}, tokens[user])
        report(marker_leaks(raw, ledger.forbidden(user), f"{user} aggregate"), "aggregate")
        if not may_act(user, "read", "case"):
            assert codes(body) == ["FORBIDDEN"], (user, body)
            continue
        if not plan_reads(user, "case", (name,)):
            assert codes(body) == ["FORBIDDEN_FIELD"], (user, body)
            continue
        assert "errors" not in body, (user, body)
        table = body["data"]["aggregate"]
        expected = Counter(
            str(r.values.get(name)) if reads(user, r, (name,)) and name in r.values else None
            for r in ledger.visible(user, "case")
        )
        exact = may_act(user, "exact_counts", "case")
        threshold = table["suppressionThreshold"]
        got = {cell["keys"][0]: cell for cell in table["cells"]}
        assert set(got) == set(expected), (user, key, got, expected)
        for group, count in expected.items():
            cell = got[group]
            if exact or count >= threshold:
                assert (cell["count"], cell["suppressed"]) == (count, False), (user, cell, count)
            else:
                assert cell["count"] is None, (user, key, cell, count)
                assert cell["suppressed"], (user, key, cell, count)
                assert cell["display"] == f"<{threshold}", cell
        total = sum(expected.values())
        hidden = not exact and any(0 < n < threshold for n in expected.values())
        assert (table["total"]["count"] is None) == hidden, (user, table["total"], expected)
        if not hidden:
            assert table["total"]["count"] == total, (user, table["total"], total)


# Attachments ----------------------------------------------------------------------------

FILES = """
query($id: ID!) {
  case(id: $id) { id photoProfile photoProfileAttachments { id fileName size url } }
}
"""
ATTACH = """
mutation Attach($type: String!, $id: ID!, $field: String!, $file: Upload!, $cmid: String) {
  attachFile(recordType: $type, recordId: $id, field: $field, file: $file,
             clientMutationId: $cmid) {
    attachment { id fileName } errors { path code message }
  }
}
"""


@pytest.mark.usefixtures("storage")
@settings(SETTINGS, max_examples=1)
@given(drawn=worlds)
def test_attachment_metadata_and_links_reach_only_callers_who_read_the_field(
    tokens: dict[UserKey, str], ledger: Ledger, drawn: Any
) -> None:
    made = build(ledger, drawn)
    rec = next(r for r in made if r.record_type == "case")
    marker = f"Qx{uuid.uuid4().hex[:8]}9999"
    response = upload(
        tokens[rec.owner], rec.id, "photoProfile", png(), f"{marker}.png", query=ATTACH
    )
    payload = response.json()["data"]["attachFile"]
    assert payload["errors"] == [], payload
    attachment = payload["attachment"]["id"]
    # the file name and the attachment id are values of the field
    ledger.places[marker] = [(rec, ("photo_profile",))]
    ledger.places[attachment] = [(rec, ("photo_profile",))]
    leaks: list[str] = []
    nowhere = str(uuid.uuid4())
    for user in USERS:
        token = tokens[user]
        forbidden = ledger.forbidden(user)
        body, raw = post(FILES, {"id": rec.id}, token)
        leaks += marker_leaks(raw, forbidden, f"{user} case attachments")
        if reader(user, rec) is None:
            missing, _ = post(FILES, {"id": nowhere}, token)
            assert codes(body) == codes(missing), (user, body, missing)
            assert not (body.get("data") or {}).get("case")
            continue
        files = body["data"]["case"]["photoProfileAttachments"]
        if not reads(user, rec, ("photo_profile",)):
            assert not files, (user, body)
            assert body["data"]["case"]["photoProfile"] is None, (user, body)
            continue
        assert [f["fileName"] for f in files] == [f"{marker}.png"], (user, files)
        # the caller's own link works; its bytes are the file
        downloaded = Client().get(files[0]["url"].removeprefix("http://testserver"))
        assert downloaded.status_code == 200, (user, downloaded.status_code)
    report(leaks, "attachments revealed")
