import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_says_the_process_is_alive() -> None:
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_and_migrations() -> None:
    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "pendingMigrations": 0}
