from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "backend.matching"
    label = "matching"

    def ready(self) -> None:
        from backend.matching import background, blocking
        from backend.notifications.outbox import handle_with
        from backend.records.signals import record_written

        record_written.connect(blocking.on_record_written, dispatch_uid="matching_keys")
        record_written.connect(background.on_record_written, dispatch_uid="matching_new_records")
        handle_with(background.MATCH_RECORD, background.deliver_match)
