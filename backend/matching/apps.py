from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "backend.matching"
    label = "matching"

    def ready(self) -> None:
        from backend.matching import blocking
        from backend.records.signals import record_written

        record_written.connect(blocking.on_record_written, dispatch_uid="matching_keys")
