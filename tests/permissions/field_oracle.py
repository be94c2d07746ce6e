"""What a demo role may read and write, restated from the seed's role definitions and the
published form JSON alone (never from permissions/), and values for every field.

Used by the no-leak and write-guard property tests: when the server and this oracle
disagree, one of them is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from backend.accounts.models import User
from backend.demo.form_content import form_documents, lookup_documents
from backend.locations.models import Location
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant

TEXT_TYPES = {"text", "textarea", "location", "user", "photo", "audio", "document", "signature"}
NO_VALUE = {"separator", "calculated"}
Path = tuple[str, ...]  # field names from the record down: ("family_members", "family_member_name")
# Values of option sources that exist in the demo tenant (agencies, users, locations by level).
SOURCE_VALUES: dict[str, Any] = {
    "agencies": ("cp_agency", "partner_ngo"),
    "users": ("cp_worker", "cp_supervisor"),
    "locations": {0: ["DL"], 1: ["DL01", "DL02", "DL03"], 2: ["DL0101", "DL0201", "DL0302"]},
}


def camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True)
class Field:
    form: str
    path: Path
    definition: Mapping[str, Any] = field(compare=False, repr=False)
    children: tuple[Field, ...] = field(default=(), compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def type(self) -> str:
        return str(self.definition["type"])

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(self.definition.get("tags", ()))

    @property
    def graphql_path(self) -> tuple[str, ...]:
        return tuple(camel(name) for name in self.path)


@dataclass
class RecordForms:
    """The demo forms of one record type, as published from backend/demo/content/."""

    record_type: str
    fields: list[Field]  # top level, in form order
    lookups: dict[str, list[dict[str, Any]]]

    @classmethod
    def load(cls, record_type: str) -> RecordForms:
        def build(form: str, parent: Path, definitions: list[dict[str, Any]]) -> list[Field]:
            built = []
            for definition in definitions:
                path = (*parent, definition["name"])
                children = build(form, path, definition.get("fields", []))
                built.append(Field(form, path, definition, tuple(children)))
            return built

        fields = [
            f
            for document in form_documents(record_type)
            for f in build(document["key"], (), document["fields"])
        ]
        return cls(record_type, fields, lookup_documents())

    @property
    def forms(self) -> list[str]:
        return list(dict.fromkeys(f.form for f in self.fields))

    def walk(self) -> Iterator[tuple[Field, tuple[Field, ...]]]:
        """Every field at every depth, with its ancestors (outermost first)."""

        def visit(
            fields: tuple[Field, ...] | list[Field], ancestors: tuple[Field, ...]
        ) -> Iterator[tuple[Field, tuple[Field, ...]]]:
            for f in fields:
                yield f, ancestors
                yield from visit(f.children, (*ancestors, f))

        yield from visit(self.fields, ())

    def by_path(self, path: Path) -> Field:
        return next(f for f, _ in self.walk() if f.path == path)

    def forms_of(self, f: Field) -> list[str]:
        """The forms showing `f`: a top-level field may be shared by several forms."""
        if len(f.path) > 1:
            return [f.form]
        return list(dict.fromkeys(g.form for g in self.fields if g.name == f.name))

    def options(self, f: Field) -> list[str]:
        spec = f.definition.get("options") or []
        if isinstance(spec, dict) and "source" in spec:
            if spec["source"] == "locations":
                return SOURCE_VALUES["locations"][spec.get("admin_level", 2)]
            return list(SOURCE_VALUES[spec["source"]])
        listed = self.lookups.get(spec["lookup"], []) if isinstance(spec, dict) else spec
        return [o["id"] for o in listed if not o.get("disabled")]

    def resolve_input(self, reference: str, scope: Path) -> list[Field]:
        """The fields a calculation argument reads: innermost scope first, then outwards."""
        head, _, tail = reference.partition(".")
        for depth in range(len(scope), -1, -1):
            prefix = scope[:depth]
            found = [f for f, _ in self.walk() if f.path == (*prefix, head)]
            if found:
                base = found[0]
                return [base, self.by_path((*base.path, tail))] if tail else [base]
        raise LookupError(reference)


@dataclass(frozen=True)
class Reader:
    """A role reading a record: its role definition, and the forms of a referral (None when
    the record is in the role's own scope)."""

    role: Mapping[str, Any]
    referred_forms: frozenset[str] | None = None

    @property
    def hidden_tags(self) -> frozenset[str]:
        rules: Mapping[str, Any] = self.role.get("field_rules", {})
        return frozenset(rules.get("hidden_tags", ()))

    def form_access(self, form: str) -> str:
        access: Mapping[str, str] = self.role.get("form_access", {"*": "rw"})
        return access.get(form, access.get("*", ""))

    def may_act(self, action: str, record_type: str) -> bool:
        actions: Mapping[str, list[str]] = self.role["actions"]
        return action in actions.get(record_type, [])


def may_read(reader: Reader, forms: RecordForms, f: Field, ancestors: tuple[Field, ...]) -> bool:
    """Readable: the role reads the record type, a form showing the field is readable (and
    shared, for a referral), no tag of the field or of a subform around it is hidden, and,
    for a calculated field, every input is readable."""
    if not reader.may_act("read", forms.record_type):
        return False
    if not readable_forms(reader, forms, f):
        return False
    if any(a.tags & reader.hidden_tags for a in (*ancestors, f)):
        return False
    if f.type == "calculated":
        scope = tuple(a.name for a in ancestors)
        for reference in f.definition["calculate"]["args"]:
            if reference.startswith("$"):
                continue
            for source in forms.resolve_input(reference, scope):
                source_ancestors = tuple(
                    forms.by_path(source.path[:i]) for i in range(1, len(source.path))
                )
                if not may_read(reader, forms, source, source_ancestors):
                    return False
    return True


def readable_forms(reader: Reader, forms: RecordForms, f: Field) -> list[str]:
    return [
        form
        for form in forms.forms_of(f)
        if reader.form_access(form) in ("r", "rw")
        and (reader.referred_forms is None or form in reader.referred_forms)
    ]


def may_write(reader: Reader, forms: RecordForms, f: Field, ancestors: tuple[Field, ...]) -> bool:
    """Writable: not read-only, the role writes the type, a readable form showing the field
    is writable, and the field is readable."""
    return (
        f.type not in NO_VALUE
        and not f.definition.get("read_only")
        and reader.may_act("write", forms.record_type)
        and any(reader.form_access(form) == "rw" for form in readable_forms(reader, forms, f))
        and may_read(reader, forms, f, ancestors)
    )


# Values: text-like fields carry a unique marker, so a search of the raw response is exact.


MARKER = re.compile(r"Qx[0-9a-f]{8}\d{4}")


@dataclass
class Markers:
    """Unique values for text-like and phone fields, remembered with their field.

    Random per record, outside the drawn data: records of earlier examples stay in the
    database, and a marker must never repeat across them."""

    seed: str = field(default_factory=lambda: secrets.token_hex(4))
    issued: dict[str, Path] = field(default_factory=dict)

    def next(self, f: Field) -> str:
        marker = f"Qx{self.seed}{len(self.issued):04d}"
        self.issued[marker] = f.path
        return marker

    def next_location(self, f: Field) -> str:
        """A marker that is also a location code, registered in the demo tenant (location
        values must exist)."""
        marker = self.next(f)
        demo = Tenant.objects.get(slug="demo")
        with tenant_transaction(demo.pk):
            Location.objects.create(
                tenant=demo, code=marker, admin_level=0, names={"en": marker}, path=""
            )
        return marker

    def next_user(self, f: Field) -> str:
        """A marker that is also the username of an active user of the demo tenant (user
        values must name one)."""
        marker = self.next(f)
        demo = Tenant.objects.get(slug="demo")
        with tenant_transaction(demo.pk):
            User.objects.create_user(demo, marker, None)
        return marker

    def next_phone(self, f: Field) -> str:
        marker = f"+7{int(self.seed, 16) % 10**6:06d}{len(self.issued):04d}"
        self.issued[marker] = f.path
        return marker


def value_for(draw: st.DrawFn, forms: RecordForms, f: Field, markers: Markers) -> Any:
    kind = f.type
    if kind == "location":
        return markers.next_location(f)
    if kind == "user":
        return markers.next_user(f)
    if kind in TEXT_TYPES:
        return markers.next(f)
    if kind == "phone":
        return markers.next_phone(f)
    if kind in ("select", "radio"):
        return draw(st.sampled_from(forms.options(f)))
    if kind == "multi_select":
        return draw(
            st.lists(st.sampled_from(forms.options(f)), min_size=1, max_size=2, unique=True)
        )
    if kind == "tally":
        chosen = draw(
            st.lists(st.sampled_from(forms.options(f)), min_size=1, max_size=2, unique=True)
        )
        return [{"key": option, "count": draw(st.integers(1, 9))} for option in chosen]
    if kind == "boolean":
        return draw(st.booleans())
    if kind in ("integer", "decimal"):
        low = f.definition.get("min", 0)
        high = f.definition.get("max", low + 1000)
        number = draw(st.integers(int(low), int(high)))
        return float(number) + 0.5 if kind == "decimal" and number < high else number
    if kind == "date":
        return draw(st.dates(dt.date(2005, 1, 1), dt.date(2024, 12, 31))).isoformat()
    if kind == "datetime":
        day = draw(st.dates(dt.date(2005, 1, 1), dt.date(2024, 12, 31)))
        return f"{day.isoformat()}T10:30:00Z"
    raise AssertionError(f"no value for {kind} ({'.'.join(f.path)})")


def draft(
    draw: st.DrawFn, forms: RecordForms, fields: tuple[Field, ...] | list[Field], markers: Markers
) -> dict[str, Any]:
    """A GraphQL input with a value in every field a client may write (read-only ones are the
    server's), one or two entries in every subform."""
    values: dict[str, Any] = {}
    for f in fields:
        if f.type in NO_VALUE or f.definition.get("read_only"):
            continue
        if f.type == "subform":
            count = draw(st.integers(1, 2))
            values[camel(f.name)] = [draft(draw, forms, f.children, markers) for _ in range(count)]
        else:
            values[camel(f.name)] = value_for(draw, forms, f, markers)
    return values


def same_value(f: Field, one: Any, other: Any) -> bool:
    """Equal as the server stores them: a tally's counts in any order."""
    if f.type == "tally" and one and other:
        return sorted(map(repr, one)) == sorted(map(repr, other))
    return bool(one == other)


# Reading a GraphQL response by field path.


def values_at(node: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every value at `path` below `node` (subform lists fan out), with its response path."""
    if not path:
        yield (), node
        return
    if node is None:
        return
    if isinstance(node, list):
        for index, item in enumerate(node):
            for rest, value in values_at(item, path):
                yield (index, *rest), value
        return
    head, *tail = path
    for rest, value in values_at(node.get(head), tuple(tail)):
        yield (head, *rest), value
