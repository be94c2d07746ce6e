from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "backend.observability"

    def ready(self) -> None:
        from backend.observability import task_metrics

        task_metrics.connect()
