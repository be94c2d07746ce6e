"""Per-request log fields (request id, tenant, user id, operation), and the JSON formatter.

Only identifiers and measurements are logged: never a field value, a query's variables, a
token or a password. Log lines written while a request is served carry its fields.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

_fields: ContextVar[dict[str, Any] | None] = ContextVar("request_log_fields", default=None)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id_from(header: str | None) -> str:
    """The caller's X-Request-ID when it is a plain token (a proxy's), else a new one."""
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def begin(request_id: str) -> object:
    return _fields.set({"request_id": request_id})


def end(token: object) -> None:
    _fields.reset(token)  # type: ignore[arg-type]


def annotate(**fields: Any) -> None:
    """Add identifiers to the current request's log fields (no-op outside a request)."""
    current = _fields.get()
    if current is not None:
        current.update({k: v for k, v in fields.items() if v is not None})


def current() -> dict[str, Any]:
    return dict(_fields.get() or {})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's fields, extras."""

    EXTRAS = ("method", "endpoint", "status", "duration_ms", "db_queries", "task", "outcome")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **current(),
        }
        for name in self.EXTRAS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
