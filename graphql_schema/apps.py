from django.apps import AppConfig


class GraphQLSchemaConfig(AppConfig):
    name = "graphql_schema"
    label = "graphql_schema"
