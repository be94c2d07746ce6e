from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "backend.workflows"
    label = "workflows"

    def ready(self) -> None:
        from backend.records.referral_grants import register_grant_provider
        from backend.workflows.transitions import referral_grants

        register_grant_provider(referral_grants)
