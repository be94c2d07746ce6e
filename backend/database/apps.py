from django.apps import AppConfig


class DatabaseConfig(AppConfig):
    name = "backend.database"
    label = "database"
