"""Administration of agencies, user groups, roles and users, for roles with `manage_users`."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.accounts.models import Role, User
from backend.administration import services
from graphql_schema.context import RequestContext
from graphql_schema.payloads import MutationPayload, mutation_payload


@strawberry.type
class AgencyInfo:
    code: str
    name: str


@strawberry.type
class UserGroupInfo:
    code: str
    name: str
    agency: str | None


@strawberry.type
class RoleInfo:
    code: str
    name: str
    scope: str
    actions: JSON
    form_access: JSON
    field_rules: JSON
    requires_two_factor: bool
    modules: list[str] = strawberry.field(description='Module keys ("*": every module).')
    dashboard: JSON = strawberry.field(
        description="The indicators its members' dashboard shows (see the README, Reports)."
    )

    @classmethod
    def of(cls, role: Role) -> RoleInfo:
        return cls(
            code=role.code,
            name=role.name,
            scope=role.scope,
            actions=role.actions,
            form_access=role.form_access,
            field_rules=role.field_rules,
            requires_two_factor=role.requires_two_factor,
            modules=list(role.modules or []),
            dashboard=JSON(list(role.dashboard or [])),
        )


@strawberry.type
class UserInfo:
    id: strawberry.ID
    username: str
    full_name: str
    email: str
    locale: str
    role: str | None
    agency: str | None
    groups: list[str]
    is_active: bool
    modules: list[str] = strawberry.field(
        description="Modules granted to the user beyond their role's."
    )

    @classmethod
    def of(cls, user: User) -> UserInfo:
        return cls(
            id=strawberry.ID(str(user.public_id)),
            username=user.username,
            full_name=user.full_name,
            email=user.email,
            locale=user.locale,
            role=user.role.code if user.role else None,
            agency=user.agency.code if user.agency else None,
            groups=sorted(g.code for g in user.groups.all()),
            is_active=user.is_active,
            modules=list(user.modules or []),
        )


@strawberry.input
class RoleInput:
    code: str
    name: str
    scope: str = strawberry.field(description="own, group, agency or all")
    actions: JSON = strawberry.field(description='{"case": ["read", ...], "*": [...]}')
    form_access: JSON = strawberry.field(description='{"basic_identity": "rw", "*": "r"}')
    field_rules: JSON = strawberry.field(
        description='{"hidden_tags": ["pii"], "read_only_tags": []}'
    )
    requires_two_factor: bool = False
    modules: list[str] | None = strawberry.field(
        default=None, description='Module keys ("*": every module); left out: unchanged.'
    )
    dashboard: JSON | None = strawberry.field(
        default=None,
        description="Indicator definitions, each an aggregate (see the README, Reports); "
        "left out: unchanged.",
    )


@strawberry.input
class UserInput:
    username: str
    full_name: str | None = None
    email: str | None = None
    locale: str | None = None
    role: str | None = None
    agency: str | None = None
    groups: list[str] | None = None
    is_active: bool | None = None
    password: str | None = strawberry.field(
        default=None, description="Sets a new password; ends the user's sessions."
    )
    modules: list[str] | None = strawberry.field(
        default=None,
        description="Modules granted beyond the role's (a user works in both); left out: "
        "unchanged.",
    )


@strawberry.type
class SaveAgencyPayload(MutationPayload):
    agency: AgencyInfo | None = None


@strawberry.type
class SaveUserGroupPayload(MutationPayload):
    user_group: UserGroupInfo | None = None


@strawberry.type
class SaveRolePayload(MutationPayload):
    role: RoleInfo | None = None


@strawberry.type
class SaveUserPayload(MutationPayload):
    user: UserInfo | None = None


def _in_input(resolver: Any) -> Any:
    return mutation_payload(resolver, under=["input"])


@strawberry.type
class AdministrationMutation:
    @strawberry.mutation(description="Create or rename an agency.")
    @mutation_payload
    def save_agency(
        self,
        info: Info[RequestContext, None],
        code: str,
        name: str,
        client_mutation_id: str | None = None,
    ) -> SaveAgencyPayload:
        agency = services.save_agency(info.context.user, code, name)
        return SaveAgencyPayload(agency=AgencyInfo(code=agency.code, name=agency.name))

    @strawberry.mutation(description="Create or change a user group.")
    @mutation_payload
    def save_user_group(
        self,
        info: Info[RequestContext, None],
        code: str,
        name: str,
        agency: str | None = None,
        client_mutation_id: str | None = None,
    ) -> SaveUserGroupPayload:
        group = services.save_user_group(info.context.user, code, name, agency)
        return SaveUserGroupPayload(
            user_group=UserGroupInfo(
                code=group.code,
                name=group.name,
                agency=group.agency.code if group.agency else None,
            )
        )

    @strawberry.mutation(description="Create or replace a role.")
    @_in_input
    def save_role(
        self,
        info: Info[RequestContext, None],
        input: RoleInput,
        client_mutation_id: str | None = None,
    ) -> SaveRolePayload:
        changes = services.RoleChanges(
            name=input.name,
            scope=input.scope,
            actions=input.actions,
            form_access=input.form_access,
            field_rules=input.field_rules,
            requires_two_factor=input.requires_two_factor,
            modules=input.modules,
            dashboard=input.dashboard,
        )
        return SaveRolePayload(
            role=RoleInfo.of(services.save_role(info.context.user, input.code, changes))
        )

    @strawberry.mutation(description="Create or change a user.")
    @_in_input
    def save_user(
        self,
        info: Info[RequestContext, None],
        input: UserInput,
        client_mutation_id: str | None = None,
    ) -> SaveUserPayload:
        changes = services.UserChanges(
            full_name=input.full_name,
            email=input.email,
            locale=input.locale,
            role=input.role,
            agency=input.agency,
            groups=input.groups,
            is_active=input.is_active,
            password=input.password,
            modules=input.modules,
        )
        return SaveUserPayload(
            user=UserInfo.of(services.save_user(info.context.user, input.username, changes))
        )
