"""A record's values as they were at an earlier revision, from its history.

Each history row keeps `(old, new)` of every top-level field its write changed, so a field's
value at revision `base` is the `old` of the first write after `base` that changed it. Used
for the subforms a push merges entry by entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backend.records.models import Record, RecordHistory


def subforms_at(record: Record, base: int, names: Sequence[str]) -> dict[str, Any]:
    """The value at revision `base` of those of `names` changed since (one query; none when
    no name was changed since). A name whose history is missing is left out."""
    changed = [n for n in names if record.field_revs.get(n, 0) > base]
    if not changed:
        return {}
    diffs = (
        RecordHistory.objects.filter(record_id=record.pk, revision__gt=base)
        .filter(diff__has_any_keys=changed)
        .order_by("revision")
        .values_list("diff", flat=True)
    )
    found: dict[str, Any] = {}
    for diff in diffs:
        for name in changed:
            pair = diff.get(name)
            if name not in found and isinstance(pair, list) and len(pair) == 2:
                found[name] = pair[0]
        if len(found) == len(changed):
            break
    return found
