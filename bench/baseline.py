"""The baseline a team would otherwise build: the demo case form as Django models (a column
per field, subforms as related tables, a tally as a table of counts) served by
strawberry-django with its query optimizer.

The models are written out from the published case form at bench time (the same columns a
developer would type by hand), their tables created with the schema editor in the bench
database and filled with the same cases the GraphQL API serves. Needs the `bench` extra
(strawberry-graphql-django).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
import strawberry_django
from django.apps import AppConfig, apps
from django.contrib.postgres.fields import ArrayField
from django.db import connections, models
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt
from strawberry import relay
from strawberry.extensions import ParserCache, ValidationCache
from strawberry_django.optimizer import DjangoOptimizerExtension
from strawberry_django.relay import DjangoListConnection

from backend.records.models import Record
from formengine import FieldDefinition, RecordSchema, ValueKind
from graphql_schema.naming import type_name

APP = "bench_baseline"
URL = "baseline/graphql"

_COLUMNS: dict[ValueKind, Any] = {
    ValueKind.STRING: lambda: models.TextField(null=True),
    ValueKind.INTEGER: lambda: models.IntegerField(null=True),
    ValueKind.DECIMAL: lambda: models.FloatField(null=True),
    ValueKind.BOOLEAN: lambda: models.BooleanField(null=True),
    ValueKind.DATE: lambda: models.DateField(null=True),
    ValueKind.DATETIME: lambda: models.DateTimeField(null=True),
    ValueKind.STRING_LIST: lambda: ArrayField(models.TextField(), null=True),
}


def _model(name: str, fields: dict[str, Any], ordering: tuple[str, ...] = ()) -> type[models.Model]:
    meta = type(
        "Meta",
        (),
        {"app_label": APP, "db_table": f"{APP}_{name.lower()}", "ordering": ordering},
    )
    return type(name, (models.Model,), {"__module__": __name__, "Meta": meta, **fields})


def _install_app() -> None:
    """Install the bench's models as an app of their own (only in the bench process), so
    Django sees their reverse relations and the optimizer can prefetch them."""
    if APP in apps.app_configs:
        return
    import bench

    config = AppConfig("bench", bench)
    config.label = APP
    config.apps = apps
    config.models = apps.all_models[APP]
    apps.app_configs[APP] = config
    apps.clear_cache()


class Baseline:
    """Models, Strawberry types and the loaded rows for one record schema."""

    def __init__(self, schema: RecordSchema) -> None:
        _install_app()
        self.models: list[type[models.Model]] = []
        self.user = _model(
            "BaselineUser",
            {"username": models.TextField(), "full_name": models.TextField()},
        )
        self.models.append(self.user)
        self.root_name = type_name(schema.record_type)
        self.case, self.case_type = self._level(
            "Baseline" + self.root_name, list(schema.fields.values()), None, top=True
        )

        connection = DjangoListConnection[self.case_type]  # type: ignore[name-defined]
        query = strawberry.type(
            type(
                "Query",
                (),
                {"__annotations__": {"cases": connection}, "cases": strawberry_django.connection()},
            )
        )
        self.schema = strawberry.Schema(
            query=query,
            extensions=[
                DjangoOptimizerExtension,
                ParserCache,
                lambda: ValidationCache(maxsize=256),
            ],
        )

    def _level(
        self,
        name: str,
        fields: list[FieldDefinition],
        parent: type[models.Model] | None,
        *,
        related_name: str = "+",
        top: bool = False,
    ) -> tuple[type[models.Model], type]:
        columns: dict[str, Any] = {}
        annotations: dict[str, Any] = {}
        children: list[tuple[str, str, list[FieldDefinition]]] = []
        if parent is not None:
            columns["parent"] = models.ForeignKey(
                parent, on_delete=models.CASCADE, related_name=related_name
            )
            columns["position"] = models.IntegerField()
            columns["uid"] = models.TextField()
            annotations["uid"] = strawberry.auto
        if top:
            columns.update(
                short_id=models.TextField(),
                status=models.TextField(),
                revision=models.IntegerField(),
                created_at=models.DateTimeField(),
                updated_at=models.DateTimeField(),
                owner=models.ForeignKey(self.user, on_delete=models.PROTECT, null=True),
                workflow_stage=models.TextField(),
                status_reason=models.TextField(),
                status_changed_at=models.DateTimeField(null=True),
                module=models.TextField(null=True),
            )
            annotations.update({k: strawberry.auto for k in columns if k != "owner"})
        for definition in fields:
            kind = definition.value_kind
            if kind == ValueKind.SUBFORM:
                children.append(
                    (definition.name, name + type_name(definition.name), definition.fields)
                )
            elif kind == ValueKind.TALLY:
                children.append((definition.name, name + type_name(definition.name), []))
            elif kind in _COLUMNS:
                columns[definition.name] = _COLUMNS[kind]()
                annotations[definition.name] = strawberry.auto
        model = _model(name, columns, ("-created_at", "-id") if top else ("position",))
        self.models.append(model)
        if top:
            owner_type = strawberry_django.type(self.user)(
                type(
                    "BaselineUserType",
                    (),
                    {
                        "__annotations__": {
                            "id": strawberry.auto,
                            "username": strawberry.auto,
                            "full_name": strawberry.auto,
                        }
                    },
                )
            )
            annotations["owner"] = owner_type | None
        namespace: dict[str, Any] = {}
        for field_name, child_name, child_fields in children:
            if child_fields:
                child, child_type = self._level(
                    child_name, child_fields, model, related_name=field_name
                )
            else:  # a tally: one row per option
                child = _model(
                    child_name,
                    {
                        "parent": models.ForeignKey(
                            model, on_delete=models.CASCADE, related_name=field_name
                        ),
                        "position": models.IntegerField(),
                        "key": models.TextField(),
                        "count": models.IntegerField(),
                    },
                    ("position",),
                )
                self.models.append(child)
                child_type = strawberry_django.type(child)(
                    type(
                        child_name + "Type",
                        (),
                        {"__annotations__": {"key": strawberry.auto, "count": strawberry.auto}},
                    )
                )
            annotations[field_name] = list[child_type]  # type: ignore[valid-type]
            namespace[field_name] = strawberry_django.field(field_name=field_name)
        bases: tuple[type, ...] = (relay.Node,) if top else ()
        cls = type(name + "Type", bases, {"__annotations__": annotations, **namespace})
        return model, strawberry_django.type(model)(cls)

    def create_tables(self) -> None:
        with connections["owner"].schema_editor() as editor:
            for model in self.models:
                editor.create_model(model)
        runtime = connections["default"].settings_dict["USER"]
        with connections["owner"].cursor() as cursor:
            for model in self.models:
                cursor.execute(f'GRANT SELECT ON "{model._meta.db_table}" TO "{runtime}"')

    def load(self, records: Iterable[Record]) -> None:
        """The same cases, column by column."""
        users: dict[int, Any] = {}
        for record in records:
            owner = None
            if record.owner_id:
                owner = users.get(record.owner_id)
                if owner is None:
                    owner = self.user.objects.using("owner").create(
                        username=record.owner.username, full_name=record.owner.full_name
                    )
                    users[record.owner_id] = owner
            row = {
                "short_id": record.short_id,
                "status": record.status,
                "revision": record.revision,
                "created_at": record.created_at,
                "updated_at": record.updated_at,
                "owner": owner,
                "workflow_stage": record.workflow_stage,
                "status_reason": record.status_reason,
                "status_changed_at": record.status_changed_at,
                "module": record.module,
            }
            self._insert(self.case, record.data, row)

    def _insert(
        self, model: type[models.Model], values: dict[str, Any], row: dict[str, Any]
    ) -> None:
        names = {f.name for f in model._meta.concrete_fields}
        instance = model.objects.using("owner").create(
            **row, **{k: v for k, v in values.items() if k in names and k not in row}
        )
        for relation in model._meta.related_objects:
            child = relation.related_model
            value = values.get(relation.name)
            if isinstance(value, dict):  # tally
                for position, (key, count) in enumerate(value.items()):
                    child.objects.using("owner").create(
                        parent=instance, position=position, key=key, count=count
                    )
            elif isinstance(value, list):
                for position, entry in enumerate(value):
                    self._insert(
                        child,
                        entry,
                        {"parent": instance, "position": position, "uid": entry.get("uid", "")},
                    )

    def urls(self) -> list[URLPattern]:
        from strawberry.django.views import GraphQLView

        return [path(URL, csrf_exempt(GraphQLView.as_view(schema=self.schema)))]
