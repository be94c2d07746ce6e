from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from backend.health import views as health
from graphql_schema.view import CaseworkGraphQLView

urlpatterns = [
    path("graphql", csrf_exempt(CaseworkGraphQLView.as_view())),
    path("healthz", health.healthz),
    path("readyz", health.readyz),
]
