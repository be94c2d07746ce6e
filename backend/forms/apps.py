from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "backend.forms"
    label = "forms"
