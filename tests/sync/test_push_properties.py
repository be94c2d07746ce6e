"""Two devices and the web edit one case in any interleaving, pushes replayed: the server
ends exactly where a field-by-field model of the merge says, every value a device pushed
is the record's or held in a conflict, and a replay changes nothing."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from backend.accounts.models import User
from backend.records import services
from backend.records.models import Record
from backend.sync import devices, pushing
from backend.sync.models import SyncConflict
from tests.graphql_client import use_tenant

pytestmark = pytest.mark.django_db

# stored name -> (client name, values a user may type)
FIELDS = {
    "household_size": ("householdSize", [1, 2, 3]),
    "name_last": ("nameLast", ["Haddad", "Hadad", "Omar"]),
}
_ids = itertools.count()


@dataclass
class Device:
    pk: Any
    base: int = 1  # the revision of its last pull
    pending: list[pushing.Change] = field(default_factory=list)
    sent: list[pushing.Change] = field(default_factory=list)


class OfflineEditing(RuleBasedStateMachine):
    @initialize()
    def register_a_case(self) -> None:
        use_tenant("demo")
        self.worker = User.objects.get(username="cp_worker")
        written = services.create_record(
            self.worker,
            "case",
            {"name_first": "Amina", "sex": "female", "registration_date": "2026-01-10"},
        )
        assert written.record is not None
        self.record = written.record
        self.devices = [Device(devices.register_device(self.worker, f"d{n}").pk) for n in (1, 2)]
        # the model: field -> (value, revision that last changed it), and the revision
        self.values: dict[str, tuple[Any, int]] = {}
        self.revision = 1
        self.conflicts: list[tuple[str, Any]] = []  # (field, device value) expected held
        self.acknowledged: list[tuple[str, Any]] = []

    def _write(self, name: str, value: Any) -> None:
        if self.values.get(name, (None, 0))[0] != value:
            self.revision += 1
            self.values[name] = (value, self.revision)

    @rule(which=st.sampled_from([0, 1]), name=st.sampled_from(sorted(FIELDS)), data=st.data())
    def edit_offline(self, which: int, name: str, data: st.DataObject) -> None:
        device = self.devices[which]
        client, options = FIELDS[name]
        value = data.draw(st.sampled_from(options))
        device.pending.append(
            pushing.Change(
                f"c{next(_ids)}", "case", str(self.record.pk), device.base, {client: value}
            )
        )

    @rule(name=st.sampled_from(sorted(FIELDS)), data=st.data())
    def edit_on_the_web(self, name: str, data: st.DataObject) -> None:
        value = data.draw(st.sampled_from(FIELDS[name][1]))
        written = services.update_record(
            self.worker, "case", self.record.pk, self.revision, {name: value}
        )
        assert written.errors == []
        self._write(name, value)

    @rule(which=st.sampled_from([0, 1]), replay=st.booleans())
    def push(self, which: int, replay: bool) -> None:
        device = self.devices[which]
        batch = [*(device.sent if replay else []), *device.pending]
        outcomes = pushing.push(self.worker, device.pk, batch)
        fresh = {c.client_mutation_id for c in device.pending}
        for change, outcome in zip(batch, outcomes, strict=True):
            if change.client_mutation_id not in fresh:
                assert outcome.status is pushing.ChangeStatus.DUPLICATE
                continue
            [(client, value)] = change.values.items()
            name = next(n for n, (c, _) in FIELDS.items() if c == client)
            held, changed_at = self.values.get(name, (None, 0))
            base = change.base_revision or 0
            if changed_at <= base:
                before = self.revision
                self._write(name, value)
                assert outcome.status is (
                    pushing.ChangeStatus.APPLIED if before == base else pushing.ChangeStatus.MERGED
                )
            elif held == value:
                assert outcome.status is pushing.ChangeStatus.MERGED
            else:
                assert outcome.status is pushing.ChangeStatus.CONFLICT
                self.conflicts.append((name, value))
            assert outcome.revision == self.revision
            self.acknowledged.append((name, value))
        device.sent += device.pending
        device.pending = []

    @rule(which=st.sampled_from([0, 1]))
    def pull(self, which: int) -> None:
        device = self.devices[which]
        if not device.pending:
            device.base = self.revision

    def teardown(self) -> None:
        for device in getattr(self, "devices", []):
            devices.revoke_device(self.worker, device.pk)

    @invariant()
    def the_server_is_where_the_model_says(self) -> None:
        if not hasattr(self, "record"):
            return
        record = Record.objects.get(pk=self.record.pk)
        assert record.revision == self.revision
        for name, (value, _) in self.values.items():
            assert record.data.get(name) == value
        held = sorted(
            SyncConflict.objects.filter(record=record).values_list("field", "client_value"),
            key=repr,
        )
        assert held == sorted(self.conflicts, key=repr)

    @invariant()
    def every_acknowledged_value_was_written_or_is_held(self) -> None:
        if not hasattr(self, "record"):
            return
        written = {
            (name, pair[1])
            for diff in self.record.history.values_list("diff", flat=True)
            for name, pair in diff.items()
        }
        for name, value in self.acknowledged:
            assert (name, value) in written or (name, value) in self.conflicts


def test_offline_edits_from_two_devices_and_the_web_merge_as_the_model_says() -> None:
    OfflineEditing.TestCase.settings = settings(
        max_examples=15,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    OfflineEditing.TestCase().runTest()
