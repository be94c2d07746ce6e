from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "backend.exports"
    label = "exports"

    def ready(self) -> None:
        from backend.exports import tasks
        from backend.notifications import outbox
        from backend.notifications.models import OutboxEvent

        outbox.handle_with(OutboxEvent.Kind.EXPORT, tasks.dispatch_export)
