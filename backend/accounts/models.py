"""Users, roles and the authentication sessions behind refresh tokens."""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models

from backend.tenancy.models import Agency, Tenant, UserGroup

RECORD_SCOPES = [("own", "Own"), ("group", "Group"), ("agency", "Agency"), ("all", "All")]


class Role(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="roles")
    code = models.SlugField(max_length=63)
    name = models.CharField(max_length=200)
    # {"case": ["read", "create", ...], "*": ["manage_users"]}
    actions = models.JSONField(default=dict)
    # {"basic_identity": "rw", "assessment": "r"}
    form_access = models.JSONField(default=dict)
    scope = models.CharField(max_length=10, choices=RECORD_SCOPES, default="own")
    # {"hidden_tags": ["pii"], "read_only_tags": ["sensitive"]}
    field_rules = models.JSONField(default=dict)
    # Module keys its members work in ("*": every module); see backend/modules
    modules = models.JSONField(default=list)
    # The indicators its members' dashboard shows: definitions built on aggregates (see
    # backend/reports/indicators.py), data rather than code
    dashboard = models.JSONField(default=list)
    # Members must sign in with a TOTP code; until they enrol, a login only allows enrolment.
    requires_two_factor = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="role_code_per_tenant")
        ]

    def __str__(self) -> str:
        return self.code


class UserManager(BaseUserManager["User"]):
    def create_user(
        self, tenant: Tenant, username: str, password: str | None = None, **fields: object
    ) -> User:
        user = self.model(tenant=tenant, username=username, **fields)
        user.set_password(password)
        user.save()
        return user


class User(AbstractBaseUser):
    """A person who signs in. Belongs to exactly one tenant; usernames are unique per tenant."""

    # The id clients see; the integer key stays inside the database.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="users")
    username = models.CharField(max_length=150)
    full_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    locale = models.CharField(max_length=10, blank=True)
    role = models.ForeignKey(Role, null=True, on_delete=models.PROTECT, related_name="users")
    agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="users")
    groups = models.ManyToManyField(UserGroup, blank=True, related_name="users")
    is_active = models.BooleanField(default=True)
    # Module keys granted to this user beyond their role's (a user's modules: role's | own)
    modules = models.JSONField(default=list)
    # Bumped when the password changes or the user is disabled: outstanding tokens die.
    token_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "username"], name="username_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.tenant_id}"


class AuthSession(models.Model):
    """One sign-in: the family of refresh tokens that rotate from one login."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_sessions")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=40, blank=True)
    # A session whose tokens allow nothing but TOTP enrolment (the role requires 2FA and the
    # user has not enrolled yet).
    totp_enrollment_only = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"session {self.pk}"


class RefreshToken(models.Model):
    """A refresh token, stored only as its SHA-256. Spent once, then replaced."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(AuthSession, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    spent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"refresh token {self.pk}"


class LoginFailure(models.Model):
    """Consecutive failed sign-ins for a (tenant, username), whether or not the user exists,
    so that a locked account and an unknown one look alike."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    username = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    last_failed_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "username"], name="login_failure_per_username"
            )
        ]

    def __str__(self) -> str:
        return f"{self.failures} failed logins of {self.username}"


class SignInAttemptWindow(models.Model):
    """Sign-in attempts of one bucket (a hashed client address, or a hashed tenant and
    username) in one fixed throttle window. Not tenant data: the address is counted before
    any tenant is known, so the table has no tenant_id and no row-level security. Unlogged
    (see the migration): counts are short-lived and start afresh after a database crash."""

    pk = models.CompositePrimaryKey("bucket", "window_start")
    bucket = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.attempts} sign-in attempts from {self.window_start}"


class TotpDevice(models.Model):
    """A user's TOTP authenticator. Unconfirmed until the user proves it with a code."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    # The base32 secret, Fernet-encrypted with TOTP_ENCRYPTION_KEY.
    encrypted_secret = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last time step whose code was accepted: a code is good once (no replay).
    last_used_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"TOTP device of {self.user_id}"


OIDC_ALGORITHMS = ("RS256", "ES256")


class OidcProvider(models.Model):
    """An external OpenID Connect identity provider whose ID tokens sign users of a tenant in.

    Users are matched by `username_claim`; nobody is created on the fly."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=63)
    name = models.CharField(max_length=200)
    issuer = models.CharField(max_length=500)
    audience = models.CharField(max_length=500)
    jwks_uri = models.URLField(max_length=500)
    # A subset of OIDC_ALGORITHMS.
    algorithms = models.JSONField(default=list)
    username_claim = models.CharField(max_length=100, default="preferred_username")
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="oidc_provider_slug_per_tenant")
        ]

    def __str__(self) -> str:
        return self.slug
