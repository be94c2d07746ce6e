"""Uploading and downloading a 20 MB attachment: throughput and the server's peak memory.

The request goes through the whole server in this process (WSGI handler, multipart parser,
upload handler, checks, storage, the download view), into a throw-away filesystem storage.
Baseline in the same run: copying the same bytes into the storage and reading them back
with no server in between. Peak memory is traced (tracemalloc) from the moment the request
body already exists, so it is what the server adds; it is measured at 5 and 20 MB to show
that it does not grow with the file.

Needs a database with the demo tenant (seed_demo) and DEMO_PASSWORD.
Run: .venv/bin/python -m bench.attachments
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup()

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.handlers.wsgi import WSGIHandler
from django.test.client import BOUNDARY, MULTIPART_CONTENT, RequestFactory, encode_multipart

from backend.request_state import request_scope

MB = 1024 * 1024
ATTACH = """mutation($id: ID!, $file: Upload!) {
  attachFile(recordType: "case", recordId: $id, field: "audioMessage", file: $file) {
    attachment { id size url } errors { code message } } }"""
REGISTER = """mutation($input: CaseInput!) { createCase(input: $input) { case { id } } }"""
LOGIN = """mutation($p: String!) { login(tenant: "demo", username: "cp_worker", password: $p) {
  accessToken } }"""


def audio(size: int) -> bytes:
    frame = b"\xff\xfb\x90\x64" + b"\x00" * 413
    return (b"ID3\x04\x00\x00\x00\x00\x00\x00" + frame * (size // len(frame) + 1))[:size]


def call(environ: dict[str, Any], keep: bool = True) -> tuple[int, bytes | int]:
    """The status and the body (or, without `keep`, only its length: a client that writes
    the file to disk holds none of it)."""
    status: list[str] = []
    with request_scope():
        response = WSGIHandler()(environ, lambda s, h: status.append(s))
        body: bytes | int = b"".join(response) if keep else drain(response)  # type: ignore[arg-type]
        response.close()  # type: ignore[attr-defined]
    return int(status[0].split()[0]), body


def post_json(query: str, variables: dict[str, Any], token: str | None = None) -> Any:
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    body = json.dumps({"query": query, "variables": variables}).encode()
    environ = (
        RequestFactory().post("/graphql", body, content_type="application/json", **extra).environ
    )
    environ["wsgi.input"] = io.BytesIO(body)
    return json.loads(call(environ)[1])  # type: ignore[arg-type]


def upload_environ(token: str, case_id: str, content: bytes) -> dict[str, Any]:
    file = io.BytesIO(content)
    file.name = "consent.mp3"
    operations = {"query": ATTACH, "variables": {"id": case_id, "file": None}}
    body = encode_multipart(
        BOUNDARY,
        {"operations": json.dumps(operations), "map": '{"0": ["variables.file"]}', "0": file},
    )
    environ = RequestFactory().generic("POST", "/graphql", b"", MULTIPART_CONTENT).environ
    environ.update(
        {
            "CONTENT_TYPE": MULTIPART_CONTENT,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "HTTP_AUTHORIZATION": f"Bearer {token}",
        }
    )
    return environ


def measured(run: Callable[[], Any]) -> tuple[float, int, Any]:
    tracemalloc.start()
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak, result


def download_environ(url: str) -> dict[str, Any]:
    return RequestFactory().get(url.removeprefix("http://testserver")).environ


def drain(chunks: Iterable[bytes]) -> int:
    return sum(len(c) for c in chunks)


def main() -> None:
    password = os.environ.get("DEMO_PASSWORD", "")
    with tempfile.TemporaryDirectory() as folder:
        settings.STORAGES = {
            **settings.STORAGES,
            "attachments": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": folder},
            },
        }
        settings.ALLOWED_HOSTS = ["*"]
        token = post_json(LOGIN, {"p": password})["data"]["login"]["accessToken"]
        case = {"registrationDate": "2026-01-10", "nameFirst": "Bench", "sex": "female"}
        rows = []
        storage = storages["attachments"]
        for size in (MB, 5 * MB, 20 * MB):  # the first warms up: not shown
            content = audio(size)
            case_id = post_json(REGISTER, {"input": case}, token)["data"]["createCase"]["case"][
                "id"
            ]
            environ = upload_environ(token, case_id, content)
            up_s, up_peak, (status, body) = measured(lambda e=environ: call(e))
            answer = json.loads(body)
            assert status == 200, answer
            payload = answer["data"]["attachFile"]
            assert not payload["errors"], payload
            url = payload["attachment"]["url"]
            down_s, down_peak, (status, got) = measured(
                lambda u=url: call(download_environ(u), keep=False)
            )
            assert status == 200, status
            assert got == size, got
            base_up, _, name = measured(lambda c=content, s=storage: s.save("base", ContentFile(c)))
            base_down, _, _ = measured(lambda n=name, s=storage: drain(s.open(n, "rb").chunks()))
            storage.delete(name)
            rows.append((size, up_s, up_peak, base_up, down_s, down_peak, base_down))
        print(
            f"{'file':>6} {'upload MB/s':>12} {'peak MB':>8} {'x copy':>7} "
            f"{'download MB/s':>14} {'peak MB':>8} {'x read':>7}"
        )
        for size, up_s, up_peak, base_up, down_s, down_peak, base_down in rows[1:]:
            print(
                f"{size // MB:>4}MB {size / MB / up_s:>12.0f} {up_peak / MB:>8.1f} "
                f"{up_s / base_up:>7.1f} {size / MB / down_s:>14.0f} {down_peak / MB:>8.1f} "
                f"{down_s / base_down:>7.1f}"
            )


if __name__ == "__main__":
    main()
