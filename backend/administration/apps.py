from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    name = "backend.administration"
    label = "administration"
