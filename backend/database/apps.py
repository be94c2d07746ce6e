from django.apps import AppConfig


class DatabaseConfig(AppConfig):
    name = "backend.database"
    label = "database"

    def ready(self) -> None:
        from psycopg.types.json import set_json_loads

        from backend.database.json import loads

        set_json_loads(loads)  # JSONB record data, several times faster to load
