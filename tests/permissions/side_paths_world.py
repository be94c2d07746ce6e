"""The world of the side-path no-leak properties: records drawn across both tenants, who may
see each one and read each of its fields, restated from the seed (who belongs where) and the
form JSON (tests/permissions/field_oracle.py), never from permissions/.

Text values are unique markers, so a search of any raw output (a response, an error, an
export file) for a marker the caller may not read is exact. Names come from a small pool per
example, shared between records, so that matching has candidates: a pooled marker is
forbidden to a caller only when no place holding it is readable to them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from backend.accounts.models import User
from backend.demo.seed import DEMO_ROLES
from backend.records.services import create_record
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from backend.workflows.transitions import refer
from tests.permissions.field_oracle import Field, Path, Reader, RecordForms, camel, may_read

UserKey = tuple[str, str]  # (tenant slug, username); the username is also the role code
USERS: list[UserKey] = [("demo", role) for role in DEMO_ROLES] + [
    ("sandbox", "admin"),
    ("sandbox", "cp_worker"),
]
REFERRED_TO = "referral_worker"
# Restated from backend/demo/seed.py: agency and groups of every user.
AGENCY = {
    ("demo", "admin"): "cp_agency",
    ("demo", "cp_worker"): "cp_agency",
    ("demo", "cp_supervisor"): "cp_agency",
    ("demo", "cp_monitor"): "cp_agency",
    ("demo", "gbv_worker"): "cp_agency",
    ("demo", "referral_worker"): "partner_ngo",
    ("sandbox", "admin"): "sandbox_agency",
    ("sandbox", "cp_worker"): "sandbox_agency",
}
AGENCY_NAMES = {
    "demo": {"Child Protection Agency", "Partner Services NGO"},
    "sandbox": {"Sandbox agency"},
}
GROUPS = {
    ("demo", "admin"): {"cp_team_north"},
    ("demo", "cp_worker"): {"cp_team_north"},
    ("demo", "cp_supervisor"): {"cp_team_north"},
    ("demo", "cp_monitor"): {"cp_team_north"},
    ("demo", "gbv_worker"): {"gbv_team"},
    ("demo", "referral_worker"): {"partner_team"},
    ("sandbox", "admin"): {"sandbox_team"},
    ("sandbox", "cp_worker"): {"sandbox_team"},
}
# The demo's programmes (backend/demo/content/manifest.json); the sandbox has none.
MODULE = {"case": "cp", "tracing_request": "cp", "incident": "gbv"}
CASE_OWNERS: list[UserKey] = [
    ("demo", "cp_worker"),
    ("demo", "cp_supervisor"),
    ("demo", "admin"),
    ("sandbox", "cp_worker"),
    ("sandbox", "admin"),
]
FORMS = {rt: RecordForms.load(rt) for rt in ("case", "incident", "tracing_request")}
RISKS = ["low", "medium", "high"]
SEXES = ["female", "male"]
CONCERNS = ["separated", "unaccompanied", "physical_violence", "neglect"]
PRIMARY = CONCERNS


def role(user: UserKey) -> dict[str, Any]:
    return DEMO_ROLES[user[1]]


def may_act(user: UserKey, action: str, record_type: str) -> bool:
    return Reader(role(user)).may_act(action, record_type)


def ancestors_of(forms: RecordForms, path: Path) -> tuple[Field, ...]:
    return tuple(forms.by_path(path[:i]) for i in range(1, len(path)))


def plan_reads(user: UserKey, record_type: str, path: Path) -> bool:
    """The field is readable on the records the user holds in full (their own scope)."""
    forms = FORMS[record_type]
    f = forms.by_path(path)
    return may_read(Reader(role(user)), forms, f, ancestors_of(forms, path))


@dataclass
class Rec:
    id: str
    short_id: str
    tenant: str
    owner: UserKey
    record_type: str
    values: dict[str, Any]
    referred: frozenset[str] | None = None  # forms shared with the referral worker

    @property
    def module(self) -> str | None:
        return MODULE[self.record_type] if self.tenant == "demo" else None


def reader(user: UserKey, rec: Rec) -> Reader | None:
    """How the user reads the record: None when it is out of their sight."""
    spec = role(user)
    if rec.tenant != user[0] or not Reader(spec).may_act("read", rec.record_type):
        return None
    modules = spec.get("modules", [])
    if rec.module is not None and "*" not in modules and rec.module not in modules:
        return None
    scope = spec["scope"]
    in_scope = (
        scope == "all"
        or rec.owner == user
        or (scope == "group" and GROUPS[user] & GROUPS[rec.owner])
        or (scope == "agency" and AGENCY[user] == AGENCY[rec.owner])
    )
    if in_scope:
        return Reader(spec)
    if rec.referred is not None and user == (rec.tenant, REFERRED_TO):
        return Reader(spec, rec.referred)
    return None


def reads(user: UserKey, rec: Rec, path: Path) -> bool:
    seen = reader(user, rec)
    if seen is None:
        return False
    forms = FORMS[rec.record_type]
    return may_read(seen, forms, forms.by_path(path), ancestors_of(forms, path))


@dataclass
class Ledger:
    """Every record the test made (earlier examples' stay in the database), and where each
    marker lives."""

    records: list[Rec] = field(default_factory=list)
    places: dict[str, list[tuple[Rec, Path]]] = field(default_factory=dict)

    def of_type(self, record_type: str) -> list[Rec]:
        return [r for r in self.records if r.record_type == record_type]

    def visible(self, user: UserKey, record_type: str) -> list[Rec]:
        return [r for r in self.of_type(record_type) if reader(user, r) is not None]

    def by_id(self, record_id: str) -> Rec | None:
        return next((r for r in self.records if r.id == record_id), None)

    def forbidden(self, user: UserKey, allowed: Iterable[str] = ()) -> set[str]:
        """Markers the user may read nowhere (and not given by themselves)."""
        exempt = set(allowed)
        return {
            marker
            for marker, places in self.places.items()
            if marker not in exempt and not any(reads(user, rec, path) for rec, path in places)
        }

    def readable_markers(self, user: UserKey, records: Iterable[Rec]) -> set[str]:
        wanted = {r.id for r in records}
        return {
            marker
            for marker, places in self.places.items()
            if any(rec.id in wanted and reads(user, rec, path) for rec, path in places)
        }

    def note(self, rec: Rec, path: Path, value: Any) -> None:
        if isinstance(value, str) and value.startswith(("Qx", "+7")):
            self.places.setdefault(value, []).append((rec, path))

    def note_values(self, rec: Rec, values: dict[str, Any], parent: Path = ()) -> None:
        for name, value in values.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                for entry in value:
                    self.note_values(rec, entry, (*parent, name))
            else:
                self.note(rec, (*parent, name), value)


class Marks:
    """Unique markers of one example (random: never repeated across examples)."""

    def __init__(self) -> None:
        self.seed = secrets.token_hex(4)
        self.count = 0

    def next(self) -> str:
        self.count += 1
        return f"Qx{self.seed}{self.count:04d}"

    def name(self) -> str:
        """A marker that is a word (digits have no sound-alike key, and matching blocks
        names by theirs)."""
        self.count += 1
        syllables = (
            secrets.choice("bcdfghjklmnprstvz") + secrets.choice("aeiou") for _ in range(5)
        )
        return "Qx" + "".join(syllables)

    def phone(self) -> str:
        self.count += 1
        return f"+7{int(self.seed, 16) % 10**6:06d}{self.count:04d}"


@dataclass(frozen=True)
class CaseSpec:
    owner: UserKey
    first: int  # index into the example's name pool
    last: int
    sex: str
    risk: str | None
    age: int
    concerns: list[str]
    primary: str | None
    siblings: int
    referred: list[str] | None


CASE_FORMS = FORMS["case"].forms
case_specs = st.builds(
    CaseSpec,
    owner=st.sampled_from(CASE_OWNERS),
    first=st.integers(0, 1),
    last=st.integers(0, 1),
    sex=st.sampled_from(SEXES),
    risk=st.none() | st.sampled_from(RISKS),
    age=st.integers(5, 8),
    concerns=st.lists(st.sampled_from(CONCERNS), max_size=2, unique=True),
    primary=st.none() | st.sampled_from(PRIMARY),
    siblings=st.integers(1, 3),
    referred=st.none()
    | st.lists(st.sampled_from(CASE_FORMS), min_size=1, max_size=4, unique=True).map(sorted),
)
worlds = st.tuples(st.lists(case_specs, min_size=3, max_size=5), st.integers(0, 1))


def _user(user: UserKey) -> User:
    return User.objects.select_related("tenant", "role", "agency").get(
        tenant__slug=user[0], username=user[1]
    )


def _create(ledger: Ledger, owner: UserKey, record_type: str, values: dict[str, Any]) -> Rec:
    tenant = Tenant.objects.get(slug=owner[0])
    with tenant_transaction(tenant.pk):
        result = create_record(_user(owner), record_type, values)
    assert result.record is not None, result.errors
    rec = Rec(str(result.record.pk), result.record.short_id, owner[0], owner, record_type, values)
    ledger.records.append(rec)
    ledger.note_values(rec, values)
    return rec


def build(ledger: Ledger, drawn: tuple[list[CaseSpec], int]) -> list[Rec]:
    """The example's records: cases of several owners in both tenants (some referred with a
    subset of forms), a GBV incident and a tracing request looking for a pooled name."""
    specs, sought = drawn
    marks = Marks()
    firsts, lasts = [marks.name(), marks.name()], [marks.name(), marks.name()]
    made = []
    for spec in specs:
        values: dict[str, Any] = {
            "registration_date": "2026-01-10",
            "name_first": firsts[spec.first],
            "name_last": lasts[spec.last],
            "sex": spec.sex,
            "age_approximate": spec.age,
            "legacy_case_number": marks.next(),
            "referring_agency": marks.next(),
            "mother_name": marks.next(),
            "id_document_number": marks.next(),
            "ethnicity": marks.next(),
            "protection_concerns_other": marks.next(),
            "phone_current": marks.phone(),
            "consent_to_share_with_referral": True,
            "protection_concerns": spec.concerns,
            "siblings": [{"sibling_name": marks.next()} for _ in range(spec.siblings)],
            "services": [{"service_type": "health", "service_provider": marks.next()}],
        }
        if spec.risk is not None:
            values["risk_level"] = spec.risk
        if spec.primary is not None:
            values["protection_concern_primary"] = spec.primary
        rec = _create(ledger, spec.owner, "case", values)
        if spec.referred is not None and spec.owner[0] == "demo":
            tenant = Tenant.objects.get(slug="demo")
            with tenant_transaction(tenant.pk):
                refer(_user(spec.owner), rec.id, REFERRED_TO, spec.referred)
            rec.referred = frozenset(spec.referred)
        made.append(rec)
    made.append(
        _create(
            ledger,
            ("demo", "gbv_worker"),
            "incident",
            {
                "interview_date": "2026-01-11",
                "survivor_code": marks.next(),
                "incident_description": marks.next(),
                "survivor_sex": "female",
                "gbv_type": "rape",
            },
        )
    )
    made.append(
        _create(
            ledger,
            ("demo", "cp_worker"),
            "tracing_request",
            {
                "inquiry_date": "2026-01-12",
                "inquirer_name_first": marks.next(),
                "persons_sought": [
                    {
                        "sought_name_first": firsts[sought],
                        "sought_name_last": lasts[sought],
                        "sought_sex": "female",
                        "sought_age": 6,
                    }
                ],
            },
        )
    )
    return made


def readable_value_leaks(
    user: UserKey, rec: Rec, values: dict[str, Any], where: str, parent: Path = ()
) -> list[str]:
    """Keys of `values` (GraphQL or stored names, at any depth) holding a value the user may
    not read on `rec`."""
    forms = FORMS[rec.record_type]
    leaks = []
    for key, value in values.items():
        if value in (None, [], "") or key == "uid":
            continue
        path = _path_of(forms, parent, key)
        if path is None:
            continue  # a system key
        if not reads(user, rec, path):
            leaks.append(f"{where}: {'.'.join(path)}")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for entry in value:
                leaks += readable_value_leaks(user, rec, entry, where, path)
    return leaks


def _path_of(forms: RecordForms, parent: Path, key: str) -> Path | None:
    for f, _ in forms.walk():
        if f.path[:-1] == parent and key in (f.name, camel(f.name)):
            return f.path
    return None


def marker_leaks(raw: str, forbidden: set[str], where: str) -> list[str]:
    return [f"{where}: {marker}" for marker in sorted(forbidden) if marker in raw]
