from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from backend.attachments import views as attachments
from backend.exports import views as exports
from backend.health import views as health
from graphql_schema.view import CaseworkGraphQLView

urlpatterns = [
    path("graphql", csrf_exempt(CaseworkGraphQLView.as_view())),
    path("attachments/<str:token>", attachments.download, name="attachment-download"),
    path("exports/<str:token>", exports.download, name="export-download"),
    path("healthz", health.healthz),
    path("readyz", health.readyz),
]
