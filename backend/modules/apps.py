from django.apps import AppConfig


class ModulesConfig(AppConfig):
    name = "backend.modules"
    label = "modules"
