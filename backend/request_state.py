"""State that lives for one request (or one task), never on shared objects such as the user.

The middleware opens a scope per HTTP request; code outside any scope (a shell, a Celery
task, a test calling services directly) gets a fresh, throw-away state on every call, so a
cached value can never outlive the request that computed it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_state: ContextVar[dict[str, Any] | None] = ContextVar("request_state", default=None)


def request_state() -> dict[str, Any]:
    state = _state.get()
    return state if state is not None else {}


@contextlib.contextmanager
def request_scope() -> Iterator[dict[str, Any]]:
    state: dict[str, Any] = {}
    token = _state.set(state)
    try:
        yield state
    finally:
        _state.reset(token)


class RequestScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_scope():
            return self.get_response(request)
