"""Fixtures of the export tests: a filesystem storage of the test's own, on-commit capture,
and exports recorded but left for the test to run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def storage(settings: Any, tmp_path: Path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    return tmp_path / "files"


@pytest.fixture
def capture(django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[..., Any]:
    return django_capture_on_commit_callbacks


@pytest.fixture
def queued_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exports are recorded but not run: the test runs them itself."""
    from backend.notifications import outbox
    from backend.notifications.models import OutboxEvent

    monkeypatch.setitem(outbox._HANDLERS, OutboxEvent.Kind.EXPORT, lambda event: None)
