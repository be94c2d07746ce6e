from django.apps import AppConfig


class DeploymentConfig(AppConfig):
    name = "backend.deployment"
    label = "deployment"
