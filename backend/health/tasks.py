import os
import socket

from celery import shared_task
from django.db import connection


@shared_task(name="health.probe_worker")
def probe_worker() -> dict[str, object]:
    """Report which process ran the task and whether it reached the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        database_ok = cursor.fetchone() == (1,)
    return {"pid": os.getpid(), "host": socket.gethostname(), "database": database_ok}
