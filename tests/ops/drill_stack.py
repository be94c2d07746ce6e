"""A production-like stack for fault drills: its own PostgreSQL and Redis, gunicorn web
workers, a Celery worker and the outbox relay, each a real process; and caseworkers who
keep writing through HTTP while a drill breaks something.

Nothing here touches the test database or the machine's shared services: the stack's
PostgreSQL and Redis run on free ports under a throwaway directory.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import shutil
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from tests.processes import ROOT, PostgresServer, RedisServer, free_port, wait_for_http

PASSWORD = "Drill-password-2026"
CASE_INPUT = {
    "registrationDate": "2026-01-10",
    "nameFirst": "Drill",
    "sex": "female",
    "dateOfBirth": "2015-04-02",
    "protectionConcerns": ["separated"],
    "consentToShareWithReferral": True,
    "hasChronicCondition": False,
}
CREATE = """mutation Create($input: CaseInput!, $cmid: String!) {
  createCase(input: $input, clientMutationId: $cmid) {
    case { id revision } errors { code }
  }
}"""
UPDATE = """mutation Update($id: ID!, $rev: Int!, $input: CaseInput!, $cmid: String!) {
  updateCase(id: $id, baseRevision: $rev, input: $input, clientMutationId: $cmid) {
    case { id revision } errors { code }
  }
}"""
REFER = """mutation Refer($id: ID!, $forms: [String!]!, $cmid: String!) {
  referCase(id: $id, toUser: "referral_worker", forms: $forms, clientMutationId: $cmid) {
    transition { id } errors { code }
  }
}"""
# A request that finds no answer within this long counts as a hang (generous: a loaded
# 2-core machine booting a replacement worker answers some requests in 10-20 s).
REQUEST_TIMEOUT = 30.0


def _child_name() -> str:
    """A name of its own per case: a thousand children all named alike would make every new
    case a match for all the others, and the worker's matching of them the drill's load."""
    return "".join(random.choices(string.ascii_lowercase, k=8)).capitalize()


def _scrubbed_environment() -> dict[str, str]:
    skip = {
        "DATABASE_URL",
        "APP_DATABASE_URL",
        "DATABASE_NAME",
        "REDIS_URL",
        "DJANGO_SETTINGS_MODULE",
        "PROMETHEUS_MULTIPROC_DIR",
    }
    return {k: v for k, v in os.environ.items() if k not in skip}


class Stack:
    """PostgreSQL, Redis, gunicorn (2 workers), a Celery worker and `relay_outbox --loop`."""

    def __init__(self) -> None:
        # Not under pytest's tmp_path (mode 0700): as root, PostgreSQL runs as another user.
        self.root = Path(tempfile.mkdtemp(prefix="casework-drill-"))
        self.root.chmod(0o755)
        self.postgres = PostgresServer(self.root)
        self.redis = RedisServer()
        self.mail_dir = self.root / "mail"
        self.mail_dir.mkdir()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def environment(self) -> dict[str, str]:
        return {
            **_scrubbed_environment(),
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "DATA_DIR": str(self.root / "data"),
            "DEMO_PASSWORD": PASSWORD,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "CELERY_QUEUE": f"drill-{os.getpid()}",
            # Every client comes from 127.0.0.1: the per-address sign-in throttle would bite.
            "LOGIN_RATE_LIMIT_PER_IP": "10000",
        }

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.environment(),
            check=True,
            capture_output=True,
            timeout=300,
        )

    def start(self) -> None:
        self.prepare()
        self.serve()

    def prepare(self) -> None:
        """PostgreSQL and Redis up, the database migrated and the demo seeded."""
        self.postgres.init()
        self.redis.start()
        self.manage("prepare_database")
        self.manage("seed_demo")
        with self.postgres.connect() as conn:  # e-mail addresses, so referrals send e-mail
            conn.execute(
                "UPDATE accounts_user SET email = username || '@example.org'"
                " WHERE tenant_id = (SELECT id FROM tenancy_tenant WHERE slug = 'demo')"
            )

    def serve(self) -> None:
        """gunicorn, the Celery worker and the relay, once the web answers."""
        self._spawn(
            "web",
            "-m",
            "gunicorn",
            "backend.wsgi",
            "--config",
            "python:ops.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--graceful-timeout",
            "5",
        )
        self._spawn(
            "worker",
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "--pool=solo",
            "--queues",
            self.environment()["CELERY_QUEUE"],
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        )
        self._spawn("relay", "manage.py", "relay_outbox", "--loop", "--interval", "1")
        wait_for_http(f"{self.base}/readyz", self.processes["web"], timeout=120)

    def _spawn(self, name: str, *args: str) -> None:
        log = (self.root / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.redis.stop()
        with contextlib.suppress(subprocess.CalledProcessError):  # a failed drill stopped it
            self.postgres.stop()
        keep = os.environ.get("DRILL_LOG_DIR")  # the processes' logs, kept to read after a run
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            for log in self.root.glob("*.log"):
                shutil.copy(log, Path(keep) / log.name)
        shutil.rmtree(self.root, ignore_errors=True)

    def web_workers(self) -> list[psutil.Process]:
        return psutil.Process(self.processes["web"].pid).children()

    def sign_in(self, username: str) -> str:
        answer = call(self.base, LOGIN % (username, PASSWORD))
        assert answer.body is not None, answer
        assert "errors" not in answer.body, answer
        token: str = answer.body["data"]["login"]["accessToken"]
        return token

    def answers(self) -> bool:
        """True when a signed-in request gets its data."""
        try:
            answer = call(self.base, "{ me { username } }", token=self.sign_in("cp_worker"))
        except AssertionError:
            return False
        return answer.body is not None and "errors" not in answer.body

    def seconds_until_answering(self, timeout: float = 60) -> float:
        started = time.monotonic()
        while not self.answers():
            if time.monotonic() - started > timeout:
                raise AssertionError(f"the service did not answer again within {timeout}s")
            time.sleep(0.1)
        return time.monotonic() - started


LOGIN = 'mutation { login(tenant: "demo", username: "%s", password: "%s") { accessToken } }'


@dataclass
class Answer:
    """What a client got: an HTTP status and JSON body, or a transport failure."""

    status: int | None
    body: dict[str, Any] | None
    failure: str = ""  # "timeout", "connection" (refused, reset, closed), "not JSON"

    def codes(self) -> list[str]:
        return [
            e.get("extensions", {}).get("code", "?") for e in (self.body or {}).get("errors", [])
        ]

    def describe(self) -> str:
        if self.failure:
            return self.failure
        return f"{self.status} {','.join(self.codes()) or 'data'}"


def call(
    base: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> Answer:
    request = urllib.request.Request(  # noqa: S310 (localhost)
        f"{base}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as refused:
        status, raw = refused.code, refused.read()
    except TimeoutError:
        return Answer(None, None, "timeout")
    except (OSError, http.client.HTTPException) as e:  # refused, reset, closed mid-answer
        if isinstance(getattr(e, "reason", None), TimeoutError):
            return Answer(None, None, "timeout")
        return Answer(None, None, "connection")
    try:
        return Answer(status, json.loads(raw))
    except ValueError:
        return Answer(status, None, f"{status} not JSON")


@dataclass
class Tally:
    """One client's writes: those acknowledged (200, data, no errors) as the (record id,
    revision) they answered, and how every other answer looked."""

    acknowledged: list[tuple[str, int]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    referrals: list[str] = field(default_factory=list)  # case ids referred, acknowledged
    refused: Counter[str] = field(default_factory=Counter)

    def merge(self, other: Tally) -> None:
        self.acknowledged += other.acknowledged
        self.created += other.created
        self.referrals += other.referrals
        self.refused.update(other.refused)


def _payload(answer: Answer, mutation: str) -> dict[str, Any] | None:
    """The mutation's payload when the write was acknowledged, else None."""
    body = answer.body
    if answer.status != 200 or body is None or body.get("errors"):
        return None
    payload: dict[str, Any] | None = (body.get("data") or {}).get(mutation)
    if payload is None or payload.get("errors"):
        return None
    return payload


class Caseworkers:
    """Threads that sign in as cp_worker and keep registering and editing cases (and, with
    `refer_forms`, referring each new case), until stopped."""

    def __init__(self, stack: Stack, threads: int = 4, refer_forms: list[str] | None = None):
        self.stack = stack
        self.refer_forms = refer_forms
        self.token = stack.sign_in("cp_worker")
        self._stop = threading.Event()
        self._tallies = [Tally() for _ in range(threads)]
        self._threads = [
            threading.Thread(target=self._work, args=(n, tally), daemon=True)
            for n, tally in enumerate(self._tallies)
        ]
        self._run = f"{time.time_ns():x}"

    def __enter__(self) -> Caseworkers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=REQUEST_TIMEOUT * 4)

    def tally(self) -> Tally:
        total = Tally()
        for tally in self._tallies:
            total.merge(tally)
        return total

    def _send(self, tally: Tally, mutation: str, query: str, variables: dict[str, Any]) -> Any:
        answer = call(self.stack.base, query, variables, self.token)
        payload = _payload(answer, mutation)
        if payload is None:
            tally.refused[answer.describe()] += 1
            time.sleep(0.05)
        return payload

    def _work(self, n: int, tally: Tally) -> None:
        step = 0
        while not self._stop.is_set():
            step += 1
            cmid = f"drill-{self._run}-{n}-{step}"
            name = _child_name()
            created = self._send(
                tally,
                "createCase",
                CREATE,
                {"input": {**CASE_INPUT, "nameFirst": name}, "cmid": f"{cmid}-c"},
            )
            if created is None:
                continue
            case = created["case"]
            tally.acknowledged.append((case["id"], case["revision"]))
            tally.created.append(case["id"])
            updated = self._send(
                tally,
                "updateCase",
                UPDATE,
                {
                    "id": case["id"],
                    "rev": case["revision"],
                    "input": {"nameFirst": f"{name} {step}"},
                    "cmid": f"{cmid}-u",
                },
            )
            if updated is not None:
                tally.acknowledged.append((case["id"], updated["case"]["revision"]))
            if self.refer_forms is not None:
                referred = self._send(
                    tally,
                    "referCase",
                    REFER,
                    {"id": case["id"], "forms": self.refer_forms, "cmid": f"{cmid}-r"},
                )
                if referred is not None:
                    tally.referrals.append(case["id"])


def missing_writes(stack: Stack, tally: Tally) -> list[tuple[str, int]]:
    """Acknowledged writes without their revision in the record's history (each write
    adds one history row, in its transaction)."""
    with stack.postgres.connect() as conn:
        found = set(
            conn.execute(
                "SELECT record_id::text, revision FROM records_recordhistory"
                " WHERE record_id = ANY(%s::uuid[])",
                [sorted({record for record, _ in tally.acknowledged})],
            ).fetchall()
        )
    return sorted(set(tally.acknowledged) - found)


def wait_until(condition: Callable[[], bool], what: str, timeout: float) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting until {what}")
        time.sleep(0.25)
    return time.monotonic() - started


def stack_for_drills() -> Iterator[Stack]:
    stack = Stack()
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
