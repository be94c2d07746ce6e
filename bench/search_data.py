"""Synthetic cases for the search benchmark, loaded in bulk into the demo tenant.

Names in Arabic, French and English with the spelling variants people write (Fatima /
Fatimah / Fatma / فاطمة / Fátima, Mohammed / Muhammad / محمد), phone numbers in several
formats, risk levels, ages, registration dates, the demo's districts, services with due
dates, owners spread over caseworkers, a few flags. Rows are COPYed (records, then their
search tokens, computed by the search indexing code), not written one by one.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb, set_json_dumps

from backend.accounts.models import Role, User
from backend.forms.configuration import published_configuration
from backend.locations.services import location_path
from backend.records.filtering.indexes import owner_connection
from backend.records.models import Record
from backend.records.references import record_location_field
from backend.search.indexing import record_tokens
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Agency, Tenant, UserGroup
from backend.workflows.models import Flag

DISTRICTS = ("DL0101", "DL0102", "DL0201", "DL0202", "DL0301", "DL0302")
# Spelling variants of one name, as they turn up in one registry.
GIRLS = [
    ["Fatima", "Fatimah", "Fatma", "فاطمة", "Fátima", "Fatime"],
    ["Aisha", "Aïcha", "Aicha", "Ayesha", "عائشة"],
    ["Maryam", "Mariam", "Myriam", "Meryem", "مريم"],
    ["Zainab", "Zeinab", "Zaynab", "زينب"],
    ["Amina", "Aminah", "أمينة"],
    ["Layla", "Leila", "Leïla", "ليلى"],
    ["Nour", "Noor", "نور"],
    ["Sarah", "Sara", "سارة"],
    ["Hana", "Hanna", "هناء"],
    ["Chloé", "Camille", "Léa", "Manon", "Inès"],
    ["Emma", "Olivia", "Grace", "Ruth", "Esther"],
    ["Rania", "رانيا"],
    ["Salma", "سلمى"],
    ["Yasmin", "Yasmine", "ياسمين"],
    *[
        [name]
        for name in (
            "Khadija",
            "خديجة",
            "Rahma",
            "Huda",
            "هدى",
            "Dalia",
            "Reem",
            "ريم",
            "Samira",
            "Nadia",
            "Amal",
            "أمل",
            "Hiba",
            "Rim",
            "Lina",
            "Dina",
            "Malak",
            "ملاك",
            "Jana",
            "Tala",
            "Joud",
            "Élodie",
            "Juliette",
            "Margaux",
            "Anaïs",
            "Clara",
            "Alice",
            "Sophie",
            "Mia",
            "Ava",
            "Faith",
            "Mercy",
            "Joy",
            "Blessing",
            "Aline",
            "Nadège",
            "Claudine",
            "Esperance",
        )
    ],
]
BOYS = [
    ["Mohammed", "Muhammad", "Mohamed", "Mohammad", "Mohamad", "محمد"],
    ["Ahmed", "Ahmad", "أحمد"],
    ["Youssef", "Yusuf", "Yousef", "يوسف", "Joseph"],
    ["Omar", "Umar", "عمر"],
    ["Ali", "Aly", "علي"],
    ["Ibrahim", "Ebrahim", "إبراهيم"],
    ["Hassan", "Hasan", "حسن", "Hussein", "Hussain", "حسين"],
    ["Karim", "Kareem", "كريم"],
    ["Pierre", "Jean", "Lucas", "Hugo", "Louis", "Théo"],
    ["James", "John", "David", "Daniel", "Samuel", "Peter"],
    *[
        [name]
        for name in (
            "Khaled",
            "خالد",
            "Bilal",
            "بلال",
            "Hamza",
            "حمزة",
            "Tariq",
            "Zaid",
            "زيد",
            "Rami",
            "Sami",
            "Walid",
            "Nabil",
            "Adam",
            "آدم",
            "Elias",
            "إلياس",
            "Malik",
            "Idris",
            "Amir",
            "Antoine",
            "Mathis",
            "Nathan",
            "Gabriel",
            "Arthur",
            "Noah",
            "Ethan",
            "Liam",
            "Oliver",
            "Moses",
            "Emmanuel",
            "Patrick",
            "Innocent",
            "Jean-Claude",
            "Didier",
            "Olivier",
        )
    ],
]
FAMILY = [
    "Haddad", "حداد", "Khoury", "El Khoury", "الخوري", "Nasser", "Nassar", "ناصر", "Saleh",
    "Salih", "صالح", "Mansour", "Mansur", "منصور", "Abdallah", "Abdullah", "عبد الله",
    "Ben Ali", "Benali", "El Amine", "Dubois", "Martin", "Bernard", "Lefèvre", "Lefebvre",
    "Moreau", "Smith", "Johnson", "Brown", "Taylor", "Okello", "Mutua", "Kamau", "Nkurunziza",
]  # fmt: skip
SERVICE_TYPES = ("health", "mental_health", "psychosocial", "education", "legal")
PROVIDERS = ("Croix-Rouge", "Save the Children", "مركز الأمل", "Clinique du Port", "MSF")
NATIONALITIES = ("syrian", "iraqi", "afghan", "burundian", "congolese_drc", "sudanese")
TARGET_PHONE = "070123456"  # what "+961 70 123 456" must find, written as people write it
TARGET_FORMS = ("070123456", "+961 70 123 456", "+96170123456", "00961-70-123-456", "70 123 456")


def stored_phone(text: str) -> str:
    """A phone number as the form engine stores it (digits and a leading +)."""
    return re.sub(r"[^\d+]", "", text)


def _phone(rng: random.Random) -> str:
    """A phone number in one of the formats people type."""
    a, b, c = rng.randint(10, 99), rng.randint(100, 999), rng.randint(100, 999)
    return rng.choice(
        [
            f"+961 {a} {b} {c}",
            f"0{a}{b}{c}",
            f"0{a}-{b}-{c}",
            f"+961-{a}-{b}{c}",
            f"00961 {a} {b} {c}",
            f"+254 7{a} {b}{c}",
            f"07{a} {b} {c}",
            f"({a}) {b} {c}",
        ]
    )


def _name(rng: random.Random, groups: list[list[str]]) -> str:
    # The first group (Fatima, Mohammed) twice as common as any other.
    group = groups[0] if rng.random() < 2 / (len(groups) + 1) else rng.choice(groups)
    return rng.choice(group)


def _years_between(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@dataclass(frozen=True)
class Caseworker:
    user_id: int
    agency_id: int | None
    agency_code: str | None
    group_ids: list[int]


def synthetic_case(
    rng: random.Random, n: int, today: dt.date, agency: str | None
) -> tuple[dict[str, Any], str]:
    """The data of case `n` (as create_record would store it, for an owner of `agency`) and
    its status."""
    girl = rng.random() < 0.52
    age = rng.randint(0, 17)
    born = today - dt.timedelta(days=365 * age + rng.randint(0, 364))
    registered = today - dt.timedelta(days=int(rng.triangular(0, 5 * 365, 60)))
    registered = max(registered, born)
    status = rng.choices(("open", "closed", "reopened"), (70, 25, 5))[0]
    data: dict[str, Any] = {
        "name_first": _name(rng, GIRLS if girl else BOYS),
        "name_last": rng.choice(FAMILY),
        "sex": "female" if girl else rng.choice(("male", "male", "male", "unknown")),
        "date_of_birth": born.isoformat(),
        "age": _years_between(born, today),
        "registration_date": registered.isoformat(),
        "registration_location": rng.choice(DISTRICTS),
        "location_current": rng.choice(DISTRICTS),
        "nationality": [rng.choice(NATIONALITIES)],
        "mother_name": f"{_name(rng, GIRLS)} {rng.choice(FAMILY)}",
        "father_name": f"{_name(rng, BOYS)} {rng.choice(FAMILY)}",
    }
    if agency:
        data["registered_by_agency"] = agency
    if rng.random() < 0.15:
        data["name_other_spellings"] = _name(rng, GIRLS if girl else BOYS)
    if rng.random() < 0.7:
        data["phone_current"] = _phone(rng)
    if rng.random() < 0.4:
        data["caregiver_phone"] = _phone(rng)
    if n % 10_000 == 1:
        data["phone_current"] = TARGET_FORMS[(n // 10_000) % len(TARGET_FORMS)]
    for key in ("phone_current", "caregiver_phone"):
        if key in data:
            data[key] = stored_phone(data[key])
    risk = rng.choices(("high", "medium", "low", None), (20, 40, 30, 10))[0]
    if risk:
        data["risk_level"] = risk
    if rng.random() < 0.6:
        assessed = registered + dt.timedelta(days=rng.randint(0, 30))
        data["assessment_date"] = min(assessed, today).isoformat()
    open_case = status != "closed"
    if open_case and rng.random() < 0.8:
        data["next_follow_up_date"] = (today + dt.timedelta(days=rng.randint(-30, 60))).isoformat()
    services = []
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        due = (
            today + dt.timedelta(days=rng.randint(-60, 60))
            if open_case
            else registered + dt.timedelta(days=rng.randint(0, 90))
        )
        services.append(
            {
                "uid": uuid.UUID(int=rng.getrandbits(128)).hex[:12],
                "service_type": rng.choice(SERVICE_TYPES),
                "service_provider": rng.choice(PROVIDERS),
                "service_due_date": due.isoformat(),
                "service_implemented": not open_case or rng.random() < 0.3,
            }
        )
    if services:
        data["services"] = services
        data["number_of_services"] = len(services)
        data["number_of_services_implemented"] = 0  # counts service_implemented_on
    return data, status


def bench_caseworkers(tenant: Tenant, count: int) -> list[Caseworker]:
    """cp_worker and `count - 1` more caseworkers: most in the lead agency's team north (the
    supervisor's), some in a team south, some at the partner NGO."""
    with tenant_transaction(tenant.pk):
        role = Role.objects.get(tenant=tenant, code="cp_worker")
        lead = Agency.objects.get(tenant=tenant, code="cp_agency")
        partner = Agency.objects.get(tenant=tenant, code="partner_ngo")
        north = UserGroup.objects.get(tenant=tenant, code="cp_team_north")
        south = UserGroup.objects.get_or_create(
            tenant=tenant, code="cp_team_south", defaults={"name": "CP team south", "agency": lead}
        )[0]
        partner_team = UserGroup.objects.get(tenant=tenant, code="partner_team")
        workers = [User.objects.get(tenant=tenant, username="cp_worker")]
        for i in range(2, count + 1):
            agency, group = (
                (partner, partner_team) if i % 5 == 0 else (lead, north if i % 5 < 3 else south)
            )
            user, _ = User.objects.get_or_create(
                tenant=tenant,
                username=f"cp_worker_{i:02d}",
                defaults={"role": role, "agency": agency, "full_name": f"Caseworker {i}"},
            )
            user.groups.set([group])
            workers.append(user)
        return [
            Caseworker(
                u.pk,
                u.agency_id,
                u.agency.code if u.agency else None,
                list(u.groups.values_list("pk", flat=True)),
            )
            for u in workers
        ]


@dataclass
class LoadReport:
    cases: int
    tokens: int
    generate_s: float  # building the case data
    tokens_s: float  # computing tokens with the search indexing code
    copy_records_s: float
    copy_tokens_s: float


RECORD_COLUMNS = (
    "id", "tenant_id", "record_type", "short_id", "status", "status_reason", "workflow_stage",
    "module", "owner_id", "agency_id", "group_ids", "associated_user_ids", "location_path",
    "data", "field_revs", "form_versions", "revision", "created_by_id", "created_at",
    "updated_at",
)  # fmt: skip
TOKEN_COLUMNS = ("tenant_id", "record_id", "record_type", "path", "kind", "token")


def load_cases(
    tenant: Tenant, workers: list[Caseworker], count: int, *, seed: int = 13
) -> tuple[LoadReport, list[Record]]:
    """`count` cases of module cp COPYed into the demo tenant with their search tokens, and
    2% of them flagged. Returns the report and the records (unsaved instances)."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    with tenant_transaction(tenant.pk):
        configuration = published_configuration(tenant)
        schema = configuration.schema_for("case")
        assert schema is not None
        location_field = record_location_field(tenant, schema)
        paths = {code: location_path(tenant.pk, code) for code in DISTRICTS}
        form_versions = {
            f.key: configuration.form_versions[f.key]
            for f in schema.forms
            if f.key in configuration.form_versions
        }
    started = time.perf_counter()
    records, rows = [], []
    short_ids: set[str] = set()
    for n in range(count):
        worker = workers[n % len(workers)]
        data, status = synthetic_case(rng, n, today, worker.agency_code)
        registered = dt.datetime.fromisoformat(data["registration_date"]).replace(tzinfo=dt.UTC)
        created = registered + dt.timedelta(seconds=rng.randint(8 * 3600, 17 * 3600))
        created = min(created, now - dt.timedelta(minutes=1)) - dt.timedelta(
            microseconds=rng.randint(0, 999_999)
        )
        recent = rng.random() < 0.1
        updated = (
            now - dt.timedelta(seconds=rng.randint(0, 7 * 86400 - 60))
            if recent
            else created + (now - created) * rng.random() * 0.9
        )
        updated = max(updated, created)
        short_id = uuid.UUID(int=rng.getrandbits(128)).hex[:10]
        while short_id in short_ids:
            short_id = uuid.UUID(int=rng.getrandbits(128)).hex[:10]
        short_ids.add(short_id)
        record = Record(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            tenant_id=tenant.pk,
            record_type="case",
            short_id=short_id,
            status=status,
            data=data,
        )
        records.append(record)
        location = data.get(location_field or "")
        rows.append(
            (
                record.pk, tenant.pk, "case", short_id, status, "", "", "cp", worker.user_id,
                worker.agency_id, worker.group_ids, [], paths.get(location, ""), Jsonb(data),
                Jsonb(dict.fromkeys(data, 1)), Jsonb(form_versions), 1, worker.user_id, created,
                updated,
            )
        )  # fmt: skip
    generated = time.perf_counter()
    tokens = [
        (tenant.pk, r.pk, "case", path, kind, token)
        for r in records
        for path, kind, token in record_tokens(r, schema)
    ]
    tokenised = time.perf_counter()
    with owner_connection() as conn:
        set_json_dumps(lambda o: orjson.dumps(o).decode(), context=conn)
        with conn.transaction():
            conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
            _copy(conn, "records_record", RECORD_COLUMNS, rows)
        copied = time.perf_counter()
        with conn.transaction():
            conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
            _copy(conn, "search_searchtoken", TOKEN_COLUMNS, tokens)
        copied_tokens = time.perf_counter()
    flagged = random.Random(seed + 1)
    with tenant_transaction(tenant.pk):
        Flag.objects.bulk_create(
            Flag(
                tenant_id=tenant.pk,
                record_id=r.pk,
                reason="Bench: needs a second look",
                flagged_by_id=rows[i][8],
            )
            for i, r in enumerate(records)
            if flagged.random() < 0.02
        )
    report = LoadReport(
        count,
        len(tokens),
        generated - started,
        tokenised - generated,
        copied - tokenised,
        copied_tokens - copied,
    )
    return report, records


def _copy(
    conn: psycopg.Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """COPY rows in as the table's owner: COPY refuses tables under forced row-level
    security, so the force is lifted for this transaction only (a throwaway database)."""
    name = sql.Identifier(table)
    conn.execute(sql.SQL("ALTER TABLE {} NO FORCE ROW LEVEL SECURITY").format(name))
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        name, sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with conn.cursor().copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
    conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys are checked now
    conn.execute(sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(name))
