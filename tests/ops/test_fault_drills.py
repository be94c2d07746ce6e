"""Fault drills: break a dependency of a running stack while caseworkers write, and check
that nothing they were told was saved is lost, and that the service comes back by itself.

The stack (tests/ops/drill_stack.py) is real processes: gunicorn with two workers, a Celery
worker and `relay_outbox --loop`, against a PostgreSQL and a Redis of its own. Four client
threads register and edit cases over HTTP throughout. A write is acknowledged when it answers
200 with its data and no error; it answers the record's id and new revision, and each write
adds that revision to the record's history in its own transaction, so an acknowledged write
that did not last is found by (id, revision).

Minutes long: deselected by default, run with `pytest -m drill tests/ops/test_fault_drills.py`.
DRILL_REDIS_OUTAGE_SECONDS sets how long Redis stays down (CI: 60). Each drill prints what
it measured.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.drill_stack import (
    Caseworkers,
    Stack,
    Tally,
    call,
    missing_writes,
    stack_for_drills,
    wait_until,
)
from tests.processes import ROOT

pytestmark = pytest.mark.drill

REDIS_OUTAGE_SECONDS = float(os.environ.get("DRILL_REDIS_OUTAGE_SECONDS", "15"))
POSTGRES_OUTAGE_SECONDS = 5.0
# "Within seconds": the service answers again this soon after the fault ends.
RECOVERY_LIMIT_SECONDS = 15.0
# Answers a client may get while a dependency is down: coded refusals, never a fault.
NOT_CLEAN = ("INTERNAL_SERVER_ERROR", "timeout", "not JSON", "500", "?")


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    yield from stack_for_drills()


def report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    with capsys.disabled():
        print(f"\n[drill] {line}")


def acknowledged_after(writers: Caseworkers, count: int, timeout: float = 60) -> None:
    start = len(writers.tally().acknowledged)
    wait_until(
        lambda: len(writers.tally().acknowledged) >= start + count,
        f"{count} more writes were acknowledged",
        timeout,
    )


def unclean(refused: Counter[str]) -> dict[str, int]:
    return {k: v for k, v in refused.items() if any(bad in k for bad in NOT_CLEAN)}


def test_kill_9_of_a_web_worker_loses_no_acknowledged_write(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    with Caseworkers(stack) as writers:
        acknowledged_after(writers, 20)

        victim = stack.web_workers()[0]
        victim.send_signal(signal.SIGKILL)  # mid-write: four clients keep both workers busy
        killed = time.monotonic()
        # the other worker serves on; the master starts a replacement at once
        answering = stack.seconds_until_answering(RECOVERY_LIMIT_SECONDS)
        wait_until(
            lambda: len(stack.web_workers()) == 2 and victim not in stack.web_workers(),
            "gunicorn replaced the killed worker",
            RECOVERY_LIMIT_SECONDS,
        )
        replaced = time.monotonic() - killed
        acknowledged_after(writers, 20)
    tally = writers.tally()

    assert missing_writes(stack, tally) == []
    # a request cut off by the kill loses its connection; none gets a server fault
    assert unclean(tally.refused) == {}, tally.refused
    report(
        capsys,
        f"kill -9 of a web worker: answering {answering:.1f}s after, worker replaced after "
        f"{replaced:.1f}s; {len(tally.acknowledged)} writes acknowledged, all present; "
        f"not acknowledged: {dict(tally.refused)}",
    )


def test_a_postgresql_restart_refuses_cleanly_and_loses_no_acknowledged_write(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    with Caseworkers(stack) as writers:
        acknowledged_after(writers, 20)
        before = writers.tally()

        stack.postgres.stop("fast")  # ends every session, as a restart or a failover does
        time.sleep(POSTGRES_OUTAGE_SECONDS)
        during = writers.tally()
        stack.postgres.start()
        back = stack.seconds_until_answering(RECOVERY_LIMIT_SECONDS)
        acknowledged_after(writers, 20)
    tally = writers.tally()

    assert missing_writes(stack, tally) == []
    outage_answers = during.refused - before.refused
    # while the database is down, writes are refused with a code a client can act on
    assert outage_answers, "no request was refused while PostgreSQL was down"
    assert set(outage_answers) <= {"503 SERVICE_UNAVAILABLE", "connection"}, outage_answers
    assert outage_answers["503 SERVICE_UNAVAILABLE"] > 0, outage_answers
    assert unclean(tally.refused) == {}, tally.refused
    report(
        capsys,
        f"PostgreSQL stopped {POSTGRES_OUTAGE_SECONDS:.0f}s: answering again {back:.1f}s "
        f"after it started; {len(tally.acknowledged)} writes acknowledged, all present; "
        f"answers during the outage: {dict(outage_answers)}",
    )


def _referral_forms(stack: Stack) -> list[str]:
    answer = call(
        stack.base,
        '{ forms(recordType: "case") { key fields { name } } }',
        token=stack.sign_in("cp_worker"),
    )
    assert answer.body is not None, answer
    forms = answer.body["data"]["forms"]
    return [next(f["key"] for f in forms if any(x["name"] == "name_first" for x in f["fields"]))]


def _email_events(stack: Stack) -> dict[str, tuple[str, bool]]:
    """Outbox e-mail events: id -> (record id, delivered)."""
    with stack.postgres.connect() as conn:
        rows = conn.execute(
            "SELECT id::text, payload->>'record_id', delivered_at IS NOT NULL"
            " FROM notifications_outboxevent WHERE kind = 'email'"
        ).fetchall()
    return {event: (record, delivered) for event, record, delivered in rows}


def _delivered_count(stack: Stack) -> int:
    with stack.postgres.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM notifications_outboxevent WHERE delivered_at IS NOT NULL"
        ).fetchone()
    return int(row[0]) if row else 0


def _delivered_message_ids(stack: Stack) -> Counter[str]:
    found: Counter[str] = Counter()
    for path in stack.mail_dir.iterdir():
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("Message-ID: <"):
                found[line.removeprefix("Message-ID: <").partition("@")[0]] += 1
    return found


def test_a_redis_outage_loses_and_doubles_no_notification(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    forms = _referral_forms(stack)
    with Caseworkers(stack, threads=3, refer_forms=forms) as writers:
        acknowledged_after(writers, 10)

        stack.redis.stop()
        down = time.monotonic()
        before = writers.tally()
        time.sleep(REDIS_OUTAGE_SECONDS)
        during = writers.tally()
        delivered_before = _delivered_count(stack)
        stack.redis.start()
        restarted = time.monotonic()
        # delivery resumes within seconds: the worker reconnects, the relay publishes again
        resumed = wait_until(
            lambda: _delivered_count(stack) > delivered_before,
            "the worker delivered an outbox event again",
            RECOVERY_LIMIT_SECONDS,
        )
        acknowledged_after(writers, 10)
    tally: Tally = writers.tally()

    assert missing_writes(stack, tally) == []
    # users kept working through the outage: the broker is not on the write path
    referred_during = len(during.referrals) - len(before.referrals)
    assert referred_during > 0, during.refused
    assert unclean(tally.refused) == {}, tally.refused

    def all_delivered() -> bool:
        return all(delivered for _, delivered in _email_events(stack).values())

    wait_until(all_delivered, "every e-mail was delivered", 90)
    caught_up = time.monotonic() - restarted
    events = _email_events(stack)
    by_record = Counter(record for record, _ in events.values())
    # one e-mail per acknowledged referral (and none for a referral that was refused)
    assert all(by_record[case] == 1 for case in tally.referrals), by_record
    wait_until(
        lambda: sum(_delivered_message_ids(stack).values()) >= len(events),
        "the worker wrote every e-mail",
        10,
    )
    assert _delivered_message_ids(stack) == Counter(dict.fromkeys(events, 1))
    report(
        capsys,
        f"Redis stopped {restarted - down:.0f}s: {referred_during} referrals acknowledged "
        f"during the outage; the worker delivered again {resumed:.1f}s after Redis returned, "
        f"every e-mail within {caught_up:.1f}s, none twice ({len(events)} e-mails); "
        f"{len(tally.acknowledged)} writes "
        f"acknowledged, all present; not acknowledged: {dict(tally.refused)}",
    )


def test_the_load_scenario_runs_without_failures(stack: Stack, tmp_path: Path) -> None:
    """bench/load/locustfile.py for 10 seconds with 2 users: every request answers."""
    if importlib.util.find_spec("locust") is None:
        pytest.skip("locust is not installed (the bench extra)")
    env = {**stack.environment(), "LOAD_CASEWORKERS": "1"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "load" / "locustfile.py"),
            "--headless",
            "--host",
            stack.base,
            "--users",
            "2",
            "--spawn-rate",
            "2",
            "--run-time",
            "10s",
            "--csv",
            str(tmp_path / "smoke"),
            "--only-summary",
        ],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        timeout=120,
    )
    with (tmp_path / "smoke_stats.csv").open(newline="") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    failures = (tmp_path / "smoke_failures.csv").read_text()
    assert int(rows["Aggregated"]["Request Count"]) > 10, rows
    assert int(rows["Aggregated"]["Failure Count"]) == 0, failures
    assert {"login", "list cases", "open case"} <= set(rows), rows
