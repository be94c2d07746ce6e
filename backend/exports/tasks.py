"""The export task, started through the outbox; the beat tasks that fail exports whose
worker died (every minute) and purge expired files (hourly)."""

from __future__ import annotations

from celery import shared_task

from backend.exports import running, services
from backend.notifications.models import OutboxEvent


@shared_task(name="exports.run_export", ignore_result=True, acks_late=True)
def run_export(tenant_id: int, export_id: str) -> str:
    """Run a queued export; a second run of the same export does nothing."""
    return running.run_export(tenant_id, export_id)


@shared_task(name="exports.fail_interrupted", ignore_result=True)
def fail_interrupted() -> int:
    return services.fail_interrupted()


@shared_task(name="exports.purge_expired", ignore_result=True)
def purge_expired() -> int:
    return services.purge_expired()


def dispatch_export(event: OutboxEvent) -> None:
    """The outbox handler of an export event: hand the export to a worker. Delivered only
    once the broker took it; without a broker the export runs here, in-process."""
    run_export.apply_async(
        args=[event.tenant_id, event.payload["export_id"]],
        retry=True,
        retry_policy={"max_retries": 1},
    )
