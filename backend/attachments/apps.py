from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "backend.attachments"
    label = "attachments"
