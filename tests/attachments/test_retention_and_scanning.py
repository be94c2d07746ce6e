"""Removed files are purged once their retention has passed; the clamd hook, against a small
clamd speaking INSTREAM on a real socket, passes clean files and refuses infected ones."""

from __future__ import annotations

import socketserver
import struct
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import storages
from django.utils import timezone

from backend.attachments.models import Attachment
from backend.attachments.tasks import purge_removed_attachments_of_all_tenants
from tests.attachments.uploads import attached, mp3, png, register_case, stored_names, token, upload
from tests.graphql_client import gql, use_tenant
from tests.processes import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("attachment_storage")]

REMOVE = "mutation($id: ID!) { removeAttachment(id: $id) { errors { code } } }"
# The EICAR test signature, in two halves so that nothing scanning this source flags it.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _photo(worker: str, case_id: str) -> str:
    payload = attached(upload(worker, case_id, "photoProfile", png(), "p.png"))
    assert payload["errors"] == [], payload
    attachment_id: str = payload["attachment"]["id"]
    return attachment_id


def _removed_days_ago(worker: str, attachment_id: str, days: int) -> Attachment:
    assert gql(REMOVE, {"id": attachment_id}, worker)["data"]["removeAttachment"]["errors"] == []
    use_tenant("demo")
    Attachment.objects.filter(pk=attachment_id).update(
        removed_at=timezone.now() - timedelta(days=days)
    )
    return Attachment.objects.get(pk=attachment_id)


def test_removed_files_past_their_retention_are_purged_from_storage_and_table(
    settings: Any,
) -> None:
    settings.ATTACHMENT_RETENTION_DAYS = 30
    worker = token("cp_worker")
    old_case, recent_case, live_case = (register_case(worker) for _ in range(3))
    old = _removed_days_ago(worker, _photo(worker, old_case), 31)
    recent = _removed_days_ago(worker, _photo(worker, recent_case), 5)
    live = Attachment.objects.get(pk=_photo(worker, live_case))
    storage = storages["attachments"]

    purged = purge_removed_attachments_of_all_tenants.apply().get()

    assert purged == 1
    use_tenant("demo")
    assert not Attachment.objects.filter(pk=old.pk).exists()
    assert not storage.exists(old.storage_name)
    assert not storage.exists(old.thumbnail_name)
    for kept in (recent, live):
        assert Attachment.objects.filter(pk=kept.pk).exists()
        assert storage.exists(kept.storage_name)
        assert storage.exists(kept.thumbnail_name)
    assert len(stored_names()) == 4


def test_the_purge_runs_daily_from_beat(settings: Any) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE["purge-removed-attachments"]

    assert schedule["task"] == purge_removed_attachments_of_all_tenants.name
    assert schedule["schedule"] == 86400.0


class FakeClamd(socketserver.ThreadingTCPServer):
    """clamd's INSTREAM: `zINSTREAM\\0`, then chunks (4-byte big-endian length, bytes) up to
    an empty one; answers `stream: OK` or `stream: <signature> FOUND`, NUL-terminated."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ClamdSession)
        self.scanned: list[bytes] = []


class _ClamdSession(socketserver.BaseRequestHandler):
    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            part = self.request.recv(size - len(data))
            if not part:
                raise ConnectionError("client went away")
            data += part
        return data

    def handle(self) -> None:
        server: FakeClamd = self.server  # type: ignore[assignment]
        command = self._exactly(len(b"zINSTREAM\0"))
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        content = b""
        while length := struct.unpack("!L", self._exactly(4))[0]:
            content += self._exactly(length)
        server.scanned.append(content)
        found = EICAR in content
        self.request.sendall(b"stream: Eicar-Signature FOUND\0" if found else b"stream: OK\0")


@pytest.fixture
def clamd(settings: Any) -> Iterator[FakeClamd]:
    server = FakeClamd()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CLAMD_SOCKET = f"tcp://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def test_a_clean_file_is_scanned_whole_and_stored(clamd: FakeClamd) -> None:
    worker = token("cp_worker")
    case_id = register_case(worker)
    content = mp3(200_000)  # several INSTREAM chunks

    payload = attached(upload(worker, case_id, "audioMessage", content, "consent.mp3"))

    assert payload["errors"] == []
    assert clamd.scanned == [content]
    assert len(stored_names()) == 1


def test_an_infected_file_is_refused_and_nothing_is_stored(clamd: FakeClamd) -> None:
    worker = token("cp_worker")
    case_id = register_case(worker)

    payload = attached(upload(worker, case_id, "audioMessage", mp3() + EICAR, "consent.mp3"))

    assert [e["code"] for e in payload["errors"]] == ["INFECTED_FILE"]
    assert len(clamd.scanned) == 1
    use_tenant("demo")
    assert not Attachment.objects.filter(record_id=case_id).exists()
    assert stored_names() == []


def test_an_unreachable_scanner_answers_scanner_unavailable(settings: Any) -> None:
    port = free_port()  # nothing listens on it
    settings.CLAMD_SOCKET = f"tcp://127.0.0.1:{port}"
    worker = token("cp_worker")
    case_id = register_case(worker)

    payload = attached(upload(worker, case_id, "audioMessage", mp3(), "consent.mp3"))

    assert [e["code"] for e in payload["errors"]] == ["SCANNER_UNAVAILABLE"]
    assert stored_names() == []
