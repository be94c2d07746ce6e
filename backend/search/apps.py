from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "backend.search"
    label = "search"

    def ready(self) -> None:
        from backend.forms.signals import forms_published
        from backend.records.signals import record_written
        from backend.search import indexing, tasks

        record_written.connect(indexing.on_record_written, dispatch_uid="search_index_record")
        forms_published.connect(tasks.on_forms_published, dispatch_uid="search_reindex")
