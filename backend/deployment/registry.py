"""The sections of a bundle, in the order they apply. A new part of the configuration
(modules, locations, ...) adds its section here: export, validate, apply."""

from __future__ import annotations

from backend.deployment.bundle import Section
from backend.deployment.sections import (
    forms,
    locations,
    lookups,
    matching,
    modules,
    roles,
    settings,
)

SECTIONS: list[Section] = [
    settings.SECTION,
    locations.SECTION,
    lookups.SECTION,
    forms.SECTION,
    modules.SECTION,
    roles.SECTION,
    matching.SECTION,
]


def register(section: Section, *, before: str | None = None) -> None:
    """Add a section at the end, or ahead of the one named `before`."""
    names = [s.name for s in SECTIONS]
    if section.name in names or section.name in ("format", "version"):
        raise ValueError(f"a section {section.name!r} exists already")
    SECTIONS.insert(names.index(before) if before else len(SECTIONS), section)
