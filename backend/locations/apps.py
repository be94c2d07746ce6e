from django.apps import AppConfig


class LocationsConfig(AppConfig):
    name = "backend.locations"
    label = "locations"
