"""The field-by-field three-way merge of a pushed change against the record as it stands.

The base is the revision the device last held; `field_revs` says which revision last changed
each field. A field of the change that nobody changed after the base is applied. A field
changed on the server after the base is a conflict when the two values differ, and nothing
to do when they agree.

A subform changed on both sides is merged entry by entry, matched by `uid`, against its
value at the base (from history): entries one side added stay, an entry one side deleted
goes unless the other side edited it, and within an entry both sides edited each field is
merged like a top-level field. The same field of the same entry set differently on both
sides is a conflict on that entry's field; an entry edited on one side and deleted on the
other is a conflict on the entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldConflict:
    name: str  # the top-level field
    server_value: Any
    client_value: Any
    entry: str = ""  # a subform entry's uid: the conflict is on that entry
    child: str = ""  # with `entry`: the entry's field ("": the whole entry)

    @property
    def path(self) -> list[str]:
        return [self.name, self.entry, self.child] if self.entry else [self.name]


@dataclass(frozen=True)
class Merge:
    apply: dict[str, Any] = field(default_factory=dict)  # the patch to write now
    conflicts: list[FieldConflict] = field(default_factory=list)


def merge_change(
    patch: Mapping[str, Any],
    coerced: Mapping[str, Any],
    stored: Mapping[str, Any],
    field_revs: Mapping[str, int],
    base_revision: int,
    base_values: Mapping[str, Any] | None = None,
) -> Merge:
    """`patch` as the device sent it (stored names), `coerced` the data the whole patch would
    make (validated: values compare as stored), `stored` the data now; `base_values` the
    value at the base of the subforms changed since (absent: merged as one field)."""
    merged = Merge()
    bases = base_values or {}
    for name, raw in patch.items():
        if field_revs.get(name, 0) <= base_revision:
            merged.apply[name] = raw
        elif name in bases and _entries(raw) and _entries(stored.get(name)):
            _merge_entries(merged, name, raw, coerced.get(name), stored.get(name), bases[name])
        elif coerced.get(name) != stored.get(name):
            merged.conflicts.append(FieldConflict(name, stored.get(name), coerced.get(name)))
    return merged


def _entries(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(e, Mapping) for e in value)


def _by_uid(value: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(value, list):
        return {}
    return {e["uid"]: e for e in value if isinstance(e, Mapping) and "uid" in e}


def _merge_entries(
    merged: Merge, name: str, raw: list[Any], coerced: Any, stored: Any, base: Any
) -> None:
    """Merge a subform both sides changed since the base, entry by entry."""
    base_entries, server, client = _by_uid(base), _by_uid(stored), _by_uid(coerced)
    sent = _by_uid(raw)
    entries: list[dict[str, Any]] = []
    changed = False
    for uid, server_entry in server.items():
        if uid not in base_entries:  # added on the server: the device never held it
            entries.append({"uid": uid})
        elif uid not in sent:  # deleted on the device
            if server_entry == base_entries[uid]:
                changed = True
            else:
                merged.conflicts.append(FieldConflict(name, server_entry, None, entry=uid))
                entries.append({"uid": uid})
        else:
            entry, edited = _merge_entry(
                merged, name, uid, sent[uid], client.get(uid, {}), server_entry, base_entries[uid]
            )
            entries.append(entry)
            changed = changed or edited
    for added in raw:
        uid = added.get("uid")
        if uid in server:
            continue
        if uid is not None and uid in base_entries:  # deleted on the server
            ours = client.get(uid, {})
            if any(ours.get(k) != base_entries[uid].get(k) for k in added if k != "uid"):
                merged.conflicts.append(FieldConflict(name, None, dict(ours), entry=uid))
            continue
        entries.append(added)  # added on the device
        changed = True
    if changed:
        merged.apply[name] = entries


def _merge_entry(
    merged: Merge,
    name: str,
    uid: str,
    sent: Mapping[str, Any],
    ours: Mapping[str, Any],
    theirs: Mapping[str, Any],
    base: Mapping[str, Any],
) -> tuple[dict[str, Any], bool]:
    """One entry both sides hold: the device's edits nobody else made, as an entry patch."""
    entry: dict[str, Any] = {"uid": uid}
    for key, value in sent.items():
        if key == "uid":
            continue
        mine, before, now = ours.get(key), base.get(key), theirs.get(key)
        if mine == before:
            continue  # not changed on the device
        if now == before:
            entry[key] = value
        elif mine != now:
            merged.conflicts.append(FieldConflict(name, now, mine, entry=uid, child=key))
    return entry, len(entry) > 1
