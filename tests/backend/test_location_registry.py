"""The location registry: CSV import (any row order, all or nothing), re-import, export, the
management command, and paths that move records' locations with them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from backend.locations.csv_format import parse_csv, render_csv
from backend.locations.models import Location
from backend.locations.services import export_locations, import_location_rows, import_locations
from backend.records.models import Record
from tests.tenants import ScratchTenant, make_tenant

pytestmark = pytest.mark.django_db

HEADER = "code,parent_code,admin_level,name_en,name_fr\n"
# Children before their parents: the order of a file does not matter.
GOOD = HEADER + (
    "SS0101,SS01,2,Juba County,Comté de Juba\n"
    "SS01,SS,1,Central Equatoria,Équatoria-Central\n"
    "SS,,0,South Sudan,Soudan du Sud\n"
    "SS02,SS,1,Jonglei,\n"
    "SS0201,SS02,2,Bor South,Bor Sud\n"
)


@pytest.fixture
def scratch() -> ScratchTenant:
    return make_tenant()


def load(scratch: ScratchTenant, text: str):  # type: ignore[no-untyped-def]
    rows, errors = parse_csv(text)
    assert errors == []
    return import_location_rows(scratch.tenant, rows)


def stored(scratch: ScratchTenant) -> dict[str, tuple[str | None, int, dict[str, str]]]:
    return {
        code: (parent, level, names)
        for code, parent, level, names in Location.objects.filter(
            tenant=scratch.tenant
        ).values_list("code", "parent__code", "admin_level", "names")
    }


def subtree(scratch: ScratchTenant, code: str) -> set[str]:
    root = Location.objects.get(tenant=scratch.tenant, code=code)
    rows = Location.objects.filter(tenant=scratch.tenant, path__startswith=root.path)
    return set(rows.values_list("code", flat=True))


def test_a_file_with_children_before_parents_imports_whole(scratch: ScratchTenant) -> None:
    result = load(scratch, GOOD)

    assert (result.created, result.updated, result.unchanged, result.errors) == (5, 0, 0, [])
    assert stored(scratch)["SS0101"] == (
        "SS01",
        2,
        {"en": "Juba County", "fr": "Comté de Juba"},
    )
    assert stored(scratch)["SS02"] == ("SS", 1, {"en": "Jonglei"})
    assert subtree(scratch, "SS01") == {"SS01", "SS0101"}
    assert subtree(scratch, "SS") == {"SS", "SS01", "SS0101", "SS02", "SS0201"}


def test_every_bad_row_is_named_and_nothing_is_imported(scratch: ScratchTenant) -> None:
    text = HEADER + (
        "SS,,0,South Sudan,\n"
        "SS01,SS,1,Central Equatoria,\n"
        "SS01,SS,1,Again,\n"  # row 4: duplicate
        "XX01,XX,1,Nowhere,\n"  # row 5: unknown parent
        "SS0101,SS,2,Juba,\n"  # row 6: level 2 under a level 0
        "SS02,SS,1,,Jonglei\n"  # row 7: no English name
        "SS03,SS,one,Upper Nile,\n"  # row 8: not a level
        "bad code!,SS,1,Bad,\n"  # row 9: not a code
        "ZZ,SS,0,Country with a parent,\n"  # row 10
    )

    result = load(scratch, text)

    assert {(e.row, e.column, e.code) for e in result.errors} == {
        (4, "code", "DUPLICATE_LOCATION_CODE"),
        (5, "parent_code", "UNKNOWN_PARENT_LOCATION"),
        (6, "admin_level", "ADMIN_LEVEL_MISMATCH"),
        (7, "name_en", "MISSING_LOCATION_NAME"),
        (8, "admin_level", "INVALID_ADMIN_LEVEL"),
        (9, "code", "INVALID_LOCATION_CODE"),
        (10, "parent_code", "ADMIN_LEVEL_MISMATCH"),
    }
    assert stored(scratch) == {}


def test_a_bad_header_is_refused() -> None:
    rows, errors = parse_csv("code,parent,admin_level,name_en\nSS,,0,South Sudan\n")

    assert rows == []
    assert {(e.row, e.column, e.code) for e in errors} == {
        (1, "parent_code", "INVALID_LOCATION_CSV"),
        (1, "parent", "INVALID_LOCATION_CSV"),
    }


def test_reimport_updates_names_and_parents_and_keeps_codes(scratch: ScratchTenant) -> None:
    load(scratch, GOOD)
    juba = Location.objects.get(tenant=scratch.tenant, code="SS0101")
    record = Record.objects.create(
        tenant=scratch.tenant,
        record_type="case",
        short_id="r1",
        owner=scratch.worker,
        location_path=juba.path,
    )

    # Juba County moves to Jonglei and is renamed; the rest is listed unchanged.
    moved = GOOD.replace("SS0101,SS01,2,Juba County,", "SS0101,SS02,2,Juba,")
    result = load(scratch, moved)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    assert stored(scratch)["SS0101"] == ("SS02", 2, {"en": "Juba", "fr": "Comté de Juba"})
    assert Location.objects.get(tenant=scratch.tenant, code="SS0101").pk == juba.pk
    assert subtree(scratch, "SS02") == {"SS02", "SS0201", "SS0101"}
    record.refresh_from_db()
    assert record.location_path == Location.objects.get(pk=juba.pk).path
    assert record.location_path.startswith(Location.objects.get(code="SS02").path)


def test_a_reimport_may_list_only_some_rows(scratch: ScratchTenant) -> None:
    load(scratch, GOOD)

    result = load(scratch, HEADER + "SS0202,SS02,2,Bor North,\n")

    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    assert len(stored(scratch)) == 6


def test_a_reimport_without_a_locale_column_keeps_those_names(scratch: ScratchTenant) -> None:
    load(scratch, GOOD)

    result = load(scratch, "code,parent_code,admin_level,name_en\nSS,,0,Republic of South Sudan\n")

    assert result.updated == 1
    assert stored(scratch)["SS"][2] == {"en": "Republic of South Sudan", "fr": "Soudan du Sud"}


def test_a_level_change_that_would_strand_stored_children_is_refused(
    scratch: ScratchTenant,
) -> None:
    load(scratch, GOOD)

    # SS01 becomes a country: its stored child SS0101 (level 2) would hang two levels below.
    result = load(scratch, HEADER + "SS01,,0,Central Equatoria,\n")

    assert [(e.row, e.code) for e in result.errors] == [(2, "ADMIN_LEVEL_MISMATCH")]
    assert "SS0101" in result.errors[0].message
    assert stored(scratch)["SS01"][:2] == ("SS", 1)


def test_export_round_trips_through_import(scratch: ScratchTenant) -> None:
    load(scratch, GOOD)
    exported = export_locations(scratch.tenant)
    other = make_tenant()  # the transaction is now the other tenant's (RLS)

    result = import_locations(other.tenant, exported)

    assert result.errors == []
    assert result.created == 5
    assert export_locations(other.tenant) == exported
    assert exported[0] == {
        "code": "SS",
        "parent_code": "",
        "admin_level": 0,
        "names": {"en": "South Sudan", "fr": "Soudan du Sud"},
    }
    rows, errors = parse_csv(render_csv(exported, ["en", "fr"]))
    assert errors == []
    assert import_location_rows(other.tenant, rows).unchanged == 5


def test_the_management_command_imports_a_file(scratch: ScratchTenant, tmp_path: Path) -> None:
    good = tmp_path / "locations.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "SS09,XX,1,Nowhere,\n", encoding="utf-8")

    call_command("import_locations", "--tenant", scratch.slug, str(good))
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_locations", "--tenant", scratch.slug, str(bad), stderr=None)

    assert len(stored(scratch)) == 5
