"""Every attachment test runs twice: on the local filesystem and on S3-compatible storage (a
moto server started here, on a free port, for the session)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.processes import free_port

BUCKET = "casework-attachments"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    boto3 = pytest.importorskip("boto3")
    server_module = pytest.importorskip("moto.server")
    port = free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture(params=["filesystem", "s3"])
def attachment_storage(
    request: pytest.FixtureRequest, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """Which storage the attachments go to in this run of the test."""
    if request.param == "filesystem":
        backend: dict[str, Any] = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments")},
        }
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
        backend = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "location": f"run-{uuid.uuid4().hex}",  # each test its own, empty, prefix
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "default_acl": None,
                "querystring_auth": False,
                "file_overwrite": False,
            },
        }
    settings.STORAGES = {**settings.STORAGES, "attachments": backend}
    return str(request.param)
