"""The static part of the API. Record types and workflows are compiled onto it per tenant
(registry.py)."""

from __future__ import annotations

import strawberry

from graphql_schema.administration import AdministrationMutation
from graphql_schema.alerts import AlertsMutation, AlertsQuery
from graphql_schema.attachments import AttachmentsMutation
from graphql_schema.audit import AuditQuery
from graphql_schema.auth import AuthMutation, AuthQuery
from graphql_schema.configuration import ConfigurationMutation, ConfigurationQuery
from graphql_schema.directory import DirectoryQuery
from graphql_schema.exports import ExportsMutation, ExportsQuery
from graphql_schema.form_admin import FormAdminMutation, FormAdminQuery
from graphql_schema.forms import FormsQuery
from graphql_schema.locations import LocationsMutation, LocationsQuery
from graphql_schema.matching import MatchingMutation, MatchingQuery
from graphql_schema.modules import ModulesMutation, ModulesQuery
from graphql_schema.records.history import RecordHistoryQuery
from graphql_schema.reports import ReportsQuery
from graphql_schema.sync import SyncMutation, SyncQuery
from graphql_schema.sync_push import SyncPushMutation, SyncPushQuery
from graphql_schema.tenant_settings import TenantSettingsMutation, TenantSettingsQuery


@strawberry.type
class Query(
    AuthQuery,
    FormsQuery,
    FormAdminQuery,
    RecordHistoryQuery,
    AuditQuery,
    AlertsQuery,
    TenantSettingsQuery,
    ConfigurationQuery,
    LocationsQuery,
    DirectoryQuery,
    ModulesQuery,
    SyncQuery,
    SyncPushQuery,
    MatchingQuery,
    ExportsQuery,
    ReportsQuery,
):
    pass


@strawberry.type
class Mutation(
    AuthMutation,
    FormAdminMutation,
    AdministrationMutation,
    AlertsMutation,
    TenantSettingsMutation,
    ConfigurationMutation,
    LocationsMutation,
    ModulesMutation,
    AttachmentsMutation,
    SyncMutation,
    SyncPushMutation,
    MatchingMutation,
    ExportsMutation,
):
    pass
