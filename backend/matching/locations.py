"""Locations as matching reads them: a code's ancestor at an admin level, and its name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from backend.locations.models import PATH_SEPARATOR, Location


@dataclass(frozen=True)
class Place:
    code: str
    admin_level: int
    name: str


class LocationIndex:
    """The locations named by a batch of values, with their ancestors: two queries."""

    def __init__(self, tenant_id: int, codes: Iterable[str]) -> None:
        self._tenant_id = tenant_id
        self._places: dict[str, Place] = {}
        self._ancestors: dict[str, list[Place]] = {}
        wanted = sorted({c for c in codes if isinstance(c, str)})
        self._asked = frozenset(wanted)
        if not wanted:
            return
        rows = list(
            Location.objects.filter(tenant_id=tenant_id, code__in=wanted).values(
                "id", "code", "admin_level", "names", "path"
            )
        )
        ids = {
            int(part)
            for row in rows
            for part in row["path"].split(PATH_SEPARATOR)
            if part.isdigit()
        }
        by_id = {
            row["id"]: row
            for row in Location.objects.filter(tenant_id=tenant_id, id__in=ids).values(
                "id", "code", "admin_level", "names"
            )
        }
        for row in rows:
            chain = [
                by_id[int(p)]
                for p in row["path"].split(PATH_SEPARATOR)
                if p.isdigit() and int(p) in by_id and int(p) != row["id"]
            ]
            self._ancestors[row["code"]] = [*map(_place, chain), _place(row)]
            self._places[row["code"]] = _place(row)

    def including(self, codes: Iterable[str]) -> LocationIndex:
        """This index, or a new one when `codes` names locations it was not asked for."""
        wanted = {c for c in codes if isinstance(c, str)}
        if wanted <= self._asked:
            return self
        return LocationIndex(self._tenant_id, self._asked | wanted)

    def at_level(self, code: str, level: int) -> Place | None:
        """The location's area at `level` (itself when it is at that level); None for a
        location above that level or unknown."""
        return next((p for p in self._ancestors.get(code, ()) if p.admin_level == level), None)

    def name(self, code: str) -> str:
        place = self._places.get(code)
        return place.name if place else code


def _place(row: Mapping[str, Any]) -> Place:
    names = row.get("names")
    name = str(row["code"])
    if isinstance(names, dict) and names:
        name = str(names.get("en") or next(iter(names.values())))
    return Place(str(row["code"]), int(row["admin_level"]), name)
