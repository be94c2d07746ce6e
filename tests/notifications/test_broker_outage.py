"""A broker outage delays notifications and loses none: real Redis, a real worker.

Stop Redis, make changes, start Redis again: every notification arrives, and none twice.
The test runs its own redis-server on a free port and a Celery worker that writes e-mails
to files; the data the worker reads is committed, and removed at the end.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from backend.accounts.models import Role, User
from backend.celery import app as celery_app
from backend.notifications import outbox
from backend.notifications.models import Alert, OutboxEvent
from backend.notifications.services import notify_record_changed
from backend.notifications.tasks import deliver_event
from backend.records.models import Record
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Agency
from tests.notifications.helpers import make_case
from tests.processes import RedisServer, celery_worker
from tests.tenants import ScratchTenant, make_tenant

pytestmark = pytest.mark.services

DEADLINE_SECONDS = 60


def _require_redis_server() -> None:
    if shutil.which("redis-server") is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but redis-server is not installed")
        pytest.skip("redis-server is not installed")


@contextmanager
def app_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app at `url`, not eager, for the duration."""
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: celery_app.conf[key] for key in keys}

    def reset_pools() -> None:
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    celery_app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    reset_pools()
    try:
        yield
    finally:
        reset_pools()
        celery_app.conf.update(saved)


def wait_until(condition: Callable[[], bool], what: str, timeout: float = DEADLINE_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting until {what}")
        time.sleep(0.2)


def message_ids(directory: Path) -> Counter[str]:
    """Message-IDs of the e-mails the worker wrote (several may share one file)."""
    found: Counter[str] = Counter()
    for path in directory.iterdir():
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("Message-ID: "):
                found[line.removeprefix("Message-ID: ").strip()] += 1
    return found


class Scene:
    """A committed tenant whose admin keeps changing the worker's case."""

    def __init__(self, tenant: ScratchTenant) -> None:
        self.tenant = tenant
        self.tenant_id = tenant.tenant.pk
        with tenant_transaction(self.tenant_id):
            tenant.worker.email = "worker@example.org"
            tenant.worker.save(update_fields=["email"])
            self.case = make_case(tenant.worker)

    def change_case(self, note: str) -> None:
        """One committed change by the admin; the owner is notified after commit."""
        with tenant_transaction(self.tenant_id):
            self.case.data = {**self.case.data, "note": note}
            self.case.save(update_fields=["data"])
            notify_record_changed(self.case, actor=self.tenant.admin, email=True)

    def events(self) -> list[OutboxEvent]:
        with tenant_transaction(self.tenant_id):
            return list(OutboxEvent.objects.filter(tenant_id=self.tenant_id))

    def expected_message_ids(self) -> set[str]:
        return {outbox.message_id(event) for event in self.events()}

    def undelivered(self) -> int:
        return sum(event.delivered_at is None for event in self.events())

    def remove(self) -> None:
        # Plain DELETEs of what the scene wrote: the ORM's cascade would visit every model
        # that refers to users or records, whatever other apps add.
        tables = [
            Alert._meta.db_table,
            OutboxEvent._meta.db_table,
            Record._meta.db_table,
            User._meta.db_table,
            Role._meta.db_table,
            Agency._meta.db_table,
        ]
        with tenant_transaction(self.tenant_id), connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [self.tenant_id])
            cursor.execute("DELETE FROM tenancy_tenant WHERE id = %s", [self.tenant_id])


@pytest.fixture
def scene(django_db_blocker: Any) -> Iterator[Scene]:
    _require_redis_server()
    with django_db_blocker.unblock():  # committed: the worker is another process
        committed = Scene(make_tenant())
        try:
            yield committed
        finally:
            committed.remove()


def relay_until_delivered(scene: Scene) -> None:
    def delivered() -> bool:
        outbox.relay_pending()  # publishes only what is still unrelayed
        return scene.undelivered() == 0

    wait_until(delivered, "every outbox event was delivered")


def test_a_broker_outage_delays_notifications_and_loses_or_repeats_none(
    scene: Scene, tmp_path: Path
) -> None:
    redis = RedisServer()
    redis.start()
    try:
        with (
            app_broker(redis.url),
            celery_worker(
                settings.CELERY_TASK_DEFAULT_QUEUE,
                REDIS_URL=redis.url,
                EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                EMAIL_FILE_PATH=str(tmp_path),
            ),
        ):
            # given a notification delivered the normal way, straight after commit
            scene.change_case("first")
            wait_until(lambda: scene.undelivered() == 0, "the first e-mail was delivered")
            assert len(message_ids(tmp_path)) == 1

            # when the broker goes down, three changes still commit
            redis.stop()
            for note in ("second", "third", "fourth"):
                scene.change_case(note)

            # then they wait in the outbox, unrelayed, and nothing arrives
            events = scene.events()
            assert len(events) == 4
            assert sum(e.relayed_at is None for e in events) == 3
            assert scene.undelivered() == 3
            assert outbox.relay_pending() == 0
            assert len(message_ids(tmp_path)) == 1

            # when the broker is back, the relay hands them over and every e-mail arrives once
            redis.start()
            relay_until_delivered(scene)
            wait_until(lambda: len(message_ids(tmp_path)) == 4, "the worker wrote four e-mails", 10)
            assert message_ids(tmp_path) == Counter(dict.fromkeys(scene.expected_message_ids(), 1))

            # and neither a second relay nor duplicate messages deliver anything twice
            assert outbox.relay_pending() == 0
            for event in scene.events():
                deliver_event.apply_async(args=[scene.tenant_id, str(event.pk)])
            scene.change_case("fifth")  # queued behind the duplicates: the worker is serial
            relay_until_delivered(scene)
            wait_until(lambda: len(message_ids(tmp_path)) == 5, "the fifth e-mail arrived", 10)
            assert message_ids(tmp_path) == Counter(dict.fromkeys(scene.expected_message_ids(), 1))
    finally:
        redis.stop()


def test_messages_a_broker_lost_by_coming_back_empty_are_relayed_again_at_once(
    scene: Scene, tmp_path: Path
) -> None:
    redis = RedisServer()
    redis.start()
    try:
        with app_broker(redis.url):
            # given an e-mail relayed after commit, waiting in Redis for a worker
            scene.change_case("first")
            assert all(event.relayed_at is not None for event in scene.events())
            outbox.relay_pending()  # the relay has seen this broker
            # when Redis restarts without persistence, the message is gone
            redis.stop()
            redis.start()
            with celery_worker(
                settings.CELERY_TASK_DEFAULT_QUEUE,
                REDIS_URL=redis.url,
                EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                EMAIL_FILE_PATH=str(tmp_path),
            ):
                # then the relay publishes it again at once, not after
                # OUTBOX_REDELIVER_AFTER_SECONDS (600), and it is delivered once
                relay_until_delivered(scene)
                wait_until(lambda: len(message_ids(tmp_path)) == 1, "the e-mail arrived", 10)
            assert message_ids(tmp_path) == Counter(dict.fromkeys(scene.expected_message_ids(), 1))
    finally:
        redis.stop()
