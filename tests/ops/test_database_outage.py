"""Which database errors are an outage (503 SERVICE_UNAVAILABLE, try again) and which stay
faults: checked on errors a real server raises, not on constructed ones."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.db.backends.postgresql.base import DatabaseWrapper

from backend.database.outage import is_outage
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
