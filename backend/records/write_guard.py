"""The write guard: a write may set, change or remove only values its caller may write.

It compares the stored data with the data the write would store, at every depth (subform
entries matched by `uid`, subforms within subforms), so that a blind write to a child the
caller cannot see, or the deletion of an entry that holds one, is refused with
FORBIDDEN_FIELD and its path, and nothing is saved. Children the caller cannot see stay as
they are when it edits the entries it can see (a subform entry is a patch of the stored one).
Calculated values change with their inputs and are the server's, not the caller's.

A `read_only` field (or anything inside a read-only subform) is the server's too: writes
from a client source are refused on it; `system` and `import` writes may set it. Defaults
are the server's as well: the children a new subform entry got from their defaults do not
count as the caller's writes (the top-level defaults of a new record are never in the
caller's patch, which is what the guard checks). An entry the caller may write goes whole
when removed, its read-only children with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from formengine import FieldDefinition, FieldError, FieldPath, RecordSchema
from permissions.plan import RecordAccess

FORBIDDEN_FIELD = "FORBIDDEN_FIELD"
MESSAGE = "you may not write this field"
READ_ONLY_MESSAGE = "this field is read-only: the server sets it"
# Write sources that may set read-only fields (workflows, imports), unlike clients' writes.
TRUSTED_SOURCES = frozenset({"system", "import"})


def _definitions(
    fields: Iterable[FieldDefinition], parent: FieldPath = ()
) -> dict[FieldPath, FieldDefinition]:
    found: dict[FieldPath, FieldDefinition] = {}
    for definition in fields:
        path = (*parent, definition.name)
        found[path] = definition
        found.update(_definitions(definition.fields, path))
    return found


def _is_entries(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(e, Mapping) for e in value)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class _Guard:
    def __init__(
        self,
        access: RecordAccess,
        schema: RecordSchema,
        trusted: bool,
        defaults: Mapping[FieldPath, Any],
    ) -> None:
        self.access = access
        self.definitions = _definitions(schema.fields.values())
        self.trusted = trusted
        self.defaults = defaults
        self.errors: list[FieldError] = []

    def read_only(self, path: FieldPath) -> bool:
        """Whether `path` or a subform holding it is read-only to this write."""
        if self.trusted:
            return False
        return any(
            (d := self.definitions.get(path[:depth])) is not None and d.read_only
            for depth in range(1, len(path) + 1)
        )

    def may_write(self, path: FieldPath) -> bool:
        return self.access.may_write(path) and not self.read_only(path)

    def _derived(self, path: FieldPath) -> bool:
        definition = self.definitions.get(path)
        return definition is not None and definition.is_calculated

    def _refuse(self, where: str, path: FieldPath) -> None:
        message = READ_ONLY_MESSAGE if self.access.may_write(path) else MESSAGE
        self.errors.append(FieldError(where, FORBIDDEN_FIELD, message))

    def changed(self, path: FieldPath, where: str, old: Any, new: Any) -> None:
        """A value at `path` goes from `old` to `new`."""
        if old == new or self._derived(path):
            return
        if _is_entries(old or []) and _is_entries(new or []) and (old or new):
            if not self.may_write(path):
                self._refuse(where, path)
                return
            self.entries(path, where, old or [], new or [])
        elif not self.may_write(path):
            self._refuse(where, path)

    def entries(
        self,
        path: FieldPath,
        where: str,
        old: list[Mapping[str, Any]],
        new: list[Mapping[str, Any]],
    ) -> None:
        stored = {e.get("uid"): e for e in old}
        written_uids = {e.get("uid") for e in new}
        for index, entry in enumerate(new):
            uid = entry.get("uid")
            before = stored.get(uid)
            prefix = f"{where}[uid={uid}][{index}]."
            self.entry(path, prefix, before or {}, entry, added=before is None)
        for index, entry in enumerate(old):
            uid = entry.get("uid")
            if uid not in written_uids:
                self.removed(path, f"{where}[uid={uid}][{index}].", entry)

    def removed(self, path: FieldPath, prefix: str, entry: Mapping[str, Any]) -> None:
        """An entry removed whole: each value in it must be one its caller's access lets it
        write. Its read-only children (the server's) go with the entry, which is the caller's."""
        for key in sorted(set(entry) - {"uid"}):
            value, child = entry[key], (*path, key)
            if _empty(value) or self._derived(child):
                continue
            if not self.access.may_write(child):
                self._refuse(f"{prefix}{key}", child)
            elif _is_entries(value):
                for index, inner in enumerate(value):
                    self.removed(child, f"{prefix}{key}[uid={inner.get('uid')}][{index}].", inner)

    def entry(
        self,
        path: FieldPath,
        prefix: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        added: bool = False,
    ) -> None:
        for key in sorted({*old, *new} - {"uid"}):
            before, after = old.get(key), new.get(key)
            if _empty(before) and _empty(after):
                continue
            child = (*path, key)
            if added and child in self.defaults and after == self.defaults[child]:
                continue  # the new entry's default, set by the server
            self.changed(child, f"{prefix}{key}", before, after)


def forbidden_changes(
    access: RecordAccess,
    schema: RecordSchema,
    patch: Mapping[str, Any],
    stored: Mapping[str, Any],
    written: Mapping[str, Any],
    *,
    source: str = "web",
    defaults: Mapping[FieldPath, Any] | None = None,
) -> list[FieldError]:
    """FORBIDDEN_FIELD for each value the write would set, change or remove that `access`
    does not let its caller write; empty when the write may go ahead.

    A top-level field named in the patch must be writable even when its value is unchanged,
    as before; below that, what counts is what would change. `patch` is the caller's own
    (without defaults); `defaults` are the resolved defaults the write added to new entries.
    """
    guard = _Guard(access, schema, source in TRUSTED_SOURCES, defaults or {})
    for name in patch:
        if name not in access.writable or guard.read_only((name,)):
            guard._refuse(name, (name,))
    if guard.errors:
        return guard.errors
    for name in patch:
        guard.changed((name,), name, stored.get(name), written.get(name))
    return guard.errors
