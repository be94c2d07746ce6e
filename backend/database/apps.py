from django.apps import AppConfig


class DatabaseConfig(AppConfig):
    name = "backend.database"
    label = "database"

    def ready(self) -> None:
        import orjson
        from psycopg.types.json import set_json_loads

        set_json_loads(orjson.loads)  # JSONB record data, several times faster to load
