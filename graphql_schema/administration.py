"""Administration of agencies, user groups, roles and users, for roles with `manage_users`."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.accounts.models import Role, User
from backend.administration import services
from graphql_schema.context import RequestContext


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
        )


@strawberry.type
class UserInfo:
    username: str
    full_name: str
    email: str
    locale: str
    role: str | None
    agency: str | None
    groups: list[str]
    is_active: bool

    @classmethod
    def of(cls, user: User) -> UserInfo:
        return cls(
            username=user.username,
            full_name=user.full_name,
            email=user.email,
            locale=user.locale,
            role=user.role.code if user.role else None,
            agency=user.agency.code if user.agency else None,
            groups=sorted(g.code for g in user.groups.all()),
            is_active=user.is_active,
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


@strawberry.type
class AdministrationMutation:
    @strawberry.mutation(description="Create or rename an agency.")
    def save_agency(self, info: Info[RequestContext, None], code: str, name: str) -> AgencyInfo:
        agency = services.save_agency(info.context.user, code, name)
        return AgencyInfo(code=agency.code, name=agency.name)

    @strawberry.mutation(description="Create or change a user group.")
    def save_user_group(
        self, info: Info[RequestContext, None], code: str, name: str, agency: str | None = None
    ) -> UserGroupInfo:
        group = services.save_user_group(info.context.user, code, name, agency)
        return UserGroupInfo(
            code=group.code, name=group.name, agency=group.agency.code if group.agency else None
        )

    @strawberry.mutation(description="Create or replace a role.")
    def save_role(self, info: Info[RequestContext, None], input: RoleInput) -> RoleInfo:
        changes = services.RoleChanges(
            name=input.name,
            scope=input.scope,
            actions=input.actions,
            form_access=input.form_access,
            field_rules=input.field_rules,
            requires_two_factor=input.requires_two_factor,
        )
        return RoleInfo.of(services.save_role(info.context.user, input.code, changes))

    @strawberry.mutation(description="Create or change a user.")
    def save_user(self, info: Info[RequestContext, None], input: UserInput) -> UserInfo:
        changes = services.UserChanges(
            full_name=input.full_name,
            email=input.email,
            locale=input.locale,
            role=input.role,
            agency=input.agency,
            groups=input.groups,
            is_active=input.is_active,
            password=input.password,
        )
        return UserInfo.of(services.save_user(info.context.user, input.username, changes))
