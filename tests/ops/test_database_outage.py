"""Which database errors are an outage (503 SERVICE_UNAVAILABLE, try again) and which stay
faults: checked on errors a real server raises, not on constructed ones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import Client

from backend.database.outage import RETRY_AFTER_SECONDS, is_outage
from tests.processes import free_port


def test_a_server_that_refuses_the_connection_is_an_outage(django_db_blocker: Any) -> None:
    settings = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": str(free_port())}
    unreachable = DatabaseWrapper(settings)
    with django_db_blocker.unblock(), pytest.raises(OperationalError) as refused:
        unreachable.ensure_connection()
    assert is_outage(refused.value)


@pytest.mark.django_db
def test_a_cancelled_statement_is_not_an_outage() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 10")
        with pytest.raises(OperationalError) as cancelled, transaction.atomic():
            cursor.execute("SELECT pg_sleep(1)")
    assert not is_outage(cancelled.value)


REFRESH = 'mutation { refreshToken(refreshToken: "1.not-a-token") { accessToken } }'


def _post(query: str) -> Any:
    return Client().post(
        "/graphql", data=json.dumps({"query": query}), content_type="application/json"
    )


def test_a_session_the_server_ends_under_a_request_answers_503_then_serves_again(
    django_db_blocker: Any,
) -> None:
    """pg_terminate_backend of the request's own connection (as a restart or a failover
    does), on a real server. Django's test client skips the check a connection gets before
    each request, so the request finds out at its first statement, mid-request."""
    with django_db_blocker.unblock():  # no test transaction: the view's is the outermost
        assert _post(REFRESH).status_code == 200  # answered (an invalid token), connected
        pid = connection.connection.info.backend_pid
        other = connections.create_connection(DEFAULT_DB_ALIAS)  # same role: may end it
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        finally:
            other.close()

        ended = _post(REFRESH)
        assert ended.status_code == 503, ended.content
        assert ended.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert ended["Retry-After"] == str(RETRY_AFTER_SECONDS)

        again = _post(REFRESH)  # a new connection
        assert again.status_code == 200, again.content
        assert connection.connection.info.backend_pid != pid
