from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "backend.notifications"
    label = "notifications"

    def ready(self) -> None:
        from backend.notifications import outbox, services, tasks
        from backend.records.signals import record_changed

        record_changed.connect(services.on_record_changed, dispatch_uid="notify_record_changed")
        outbox.deliver_with(tasks.deliver_event)
