"""Django settings, read from the environment.

Development (the default): DEBUG stays off unless DJANGO_DEBUG=1, a SECRET_KEY is generated once
into the data directory, and an embedded PostgreSQL is started when DATABASE_URL is unset.
Production (APP_ENV=production): SECRET_KEY and ALLOWED_HOSTS are required, cookies are secure.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / ".data"))
PRODUCTION = os.environ.get("APP_ENV", "development") == "production"


def _development_secret_key() -> str:
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _derived_secret(purpose: str) -> str:
    """A secret derived from SECRET_KEY, so each purpose gets its own key without new config."""
    return hmac.new(SECRET_KEY.encode(), purpose.encode(), hashlib.sha256).hexdigest()


if PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("APP_ENV=production requires SECRET_KEY (32+ characters)")
    if not os.environ.get("ALLOWED_HOSTS"):
        raise ImproperlyConfigured("APP_ENV=production requires ALLOWED_HOSTS")
    DEBUG = False
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret_key()
    DEBUG = os.environ.get("DJANGO_DEBUG") == "1"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
    if h.strip()
]

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rules.apps.AutodiscoverRulesConfig",
    "backend.tenancy",
    "backend.accounts",
    "backend.health",
    "backend.database",
    "backend.forms",
    "backend.locations",
    "backend.modules",
    "backend.records",
    "backend.search",
    "backend.matching",
    "backend.sync",
    "backend.audit",
    "backend.attachments",
    "backend.exports",
    "backend.notifications",
    "backend.administration",
    "backend.workflows",
    "backend.demo",
    "backend.deployment",
    "backend.observability",
    "graphql_schema",
]

MIDDLEWARE = [
    "backend.observability.middleware.ProbeMiddleware",  # probes ignore the Host header
    "corsheaders.middleware.CorsMiddleware",  # first: it answers preflight requests itself
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backend.request_state.RequestScopeMiddleware",
    "backend.observability.middleware.RequestTelemetryMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

# --- Database -------------------------------------------------------------------------------
# "owner" runs migrations and owns the tables; "default" is the runtime role, which is neither
# superuser nor owner, so row-level security applies to everything the application does.
RUNTIME_DB_ROLE = os.environ.get("APP_DATABASE_ROLE", "casework_app")


def _database_settings() -> tuple[dict[str, Any], dict[str, Any]]:
    url = os.environ.get("DATABASE_URL")
    if url:
        owner: dict[str, Any] = dict(dj_database_url.parse(url))
        app_url = os.environ.get("APP_DATABASE_URL")
        if app_url:
            runtime: dict[str, Any] = dict(dj_database_url.parse(app_url))
        else:
            runtime = {
                **owner,
                "USER": RUNTIME_DB_ROLE,
                "PASSWORD": _derived_secret("runtime-database-role"),
            }
        return owner, runtime
    from ops import embedded_postgres

    host = embedded_postgres.socket_dir(DATA_DIR)
    base = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": embedded_postgres.DATABASE_NAME,
        "HOST": host,
        "PORT": "",
        "PASSWORD": "",
    }
    return (
        {**base, "USER": embedded_postgres.OWNER_ROLE},
        {**base, "USER": embedded_postgres.RUNTIME_ROLE},
    )


_owner_db, _runtime_db = _database_settings()
if os.environ.get("DATABASE_NAME"):  # another database on the same server (test servers)
    _owner_db["NAME"] = _runtime_db["NAME"] = os.environ["DATABASE_NAME"]
EMBEDDED_DATABASE = not os.environ.get("DATABASE_URL")
DATABASES = {
    "default": {**_runtime_db, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True},
    "owner": _owner_db,
}
RUNTIME_DB_PASSWORD = _runtime_db.get("PASSWORD") or ""
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and tokens ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["rules.permissions.ObjectPermissionBackend"]
SILENCED_SYSTEM_CHECKS = ["auth.W004"]  # usernames are unique per tenant, not globally
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
JWT_SIGNING_KEY = os.environ.get("JWT_SIGNING_KEY") or _derived_secret("jwt-signing-key")
ACCESS_TOKEN_TTL_SECONDS = int(os.environ.get("ACCESS_TOKEN_TTL_SECONDS", "300"))
REFRESH_TOKEN_TTL_SECONDS = int(os.environ.get("REFRESH_TOKEN_TTL_SECONDS", str(14 * 86400)))
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "")

# Password policy (backend.accounts.passwords turns failures into WEAK_PASSWORD).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "backend.accounts.passwords.CharacterClassValidator"},
    {"NAME": "backend.accounts.passwords.UsernameValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Lockout: this many consecutive failed sign-ins lock a username for LOGIN_LOCKOUT_SECONDS.
LOGIN_LOCKOUT_THRESHOLD = int(os.environ.get("LOGIN_LOCKOUT_THRESHOLD", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))
# Compiled GraphQL schemas a process keeps (graphql_schema/schema_cache.py), least recently
# used out first; and how often each web worker looks for a publish to compile ahead of its
# requests (0: never, the first request after a publish compiles).
SCHEMA_REGISTRY_MAX_MB = int(os.environ.get("SCHEMA_REGISTRY_MAX_MB", "256"))
SCHEMA_REGISTRY_MAX_COUNT = int(os.environ.get("SCHEMA_REGISTRY_MAX_COUNT", "1000"))
SCHEMA_WATCH_SECONDS = float(os.environ.get("SCHEMA_WATCH_SECONDS", "2"))
# Objects allocated between two collections of the young generation in a warmed-up worker
# (backend/collector.py; CPython's default is 700).
GC_YOUNG_THRESHOLD = int(os.environ.get("GC_YOUNG_THRESHOLD", "5000"))
# Throttling: sign-in attempts per window, per client address and per (tenant, username).
LOGIN_RATE_LIMIT_PER_IP = int(os.environ.get("LOGIN_RATE_LIMIT_PER_IP", "60"))
LOGIN_RATE_LIMIT_PER_USERNAME = int(os.environ.get("LOGIN_RATE_LIMIT_PER_USERNAME", "10"))
LOGIN_RATE_LIMIT_WINDOW_SECONDS = int(os.environ.get("LOGIN_RATE_LIMIT_WINDOW_SECONDS", "60"))
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use the peer address).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# TOTP secrets are stored Fernet-encrypted; changing this key invalidates every enrolment.
TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "Casework")
TOTP_ENCRYPTION_KEY = os.environ.get("TOTP_ENCRYPTION_KEY") or _derived_secret("totp-secrets")
# External OpenID Connect providers: JWKS cache, HTTP timeout, clock leeway.
OIDC_JWKS_CACHE_SECONDS = int(os.environ.get("OIDC_JWKS_CACHE_SECONDS", "300"))
OIDC_HTTP_TIMEOUT_SECONDS = float(os.environ.get("OIDC_HTTP_TIMEOUT_SECONDS", "5"))
OIDC_CLOCK_LEEWAY_SECONDS = int(os.environ.get("OIDC_CLOCK_LEEWAY_SECONDS", "60"))
OIDC_REQUIRE_HTTPS = PRODUCTION
# Query cost a GraphQL document may reach (fields, multiplied by page sizes and list
# estimates); a tenant's own query_cost_limit wins. See graphql_schema/limits/cost.py.
QUERY_COST_LIMIT = int(os.environ.get("QUERY_COST_LIMIT", "1000000"))
# OpenID Connect JWKS live in the cache: Redis when REDIS_URL is set (shared by all
# processes), else each process's memory. Sign-in throttle counters are in PostgreSQL.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "casework",
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Cross-origin browser clients and the request body ----------------------------------------
# Origins (scheme://host[:port]) whose pages may call /graphql; empty: same origin only. Tokens
# travel in the Authorization header, never in cookies, so no credentials mode is needed.
CORS_ALLOWED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("CORS_ALLOWED_ORIGINS", "").split(",")
    if origin.strip()
]
CORS_URLS_REGEX = r"^/graphql$"
CORS_ALLOW_METHODS = ("POST",)
CORS_ALLOW_HEADERS = ("authorization", "content-type")
CORS_EXPOSE_HEADERS = ("X-Schema-Version",)
CORS_PREFLIGHT_MAX_AGE = 3600
# A GraphQL request body over this many bytes is refused with 413 (PAYLOAD_TOO_LARGE).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_REQUEST_BODY_BYTES", str(2_621_440)))

# --- Attachments ----------------------------------------------------------------------------
# Files live in the "attachments" storage: the filesystem under the data folder, or an
# S3-compatible bucket when ATTACHMENTS_S3_BUCKET is set (credentials from the usual AWS
# variables or the instance role).
ATTACHMENTS_S3_BUCKET = os.environ.get("ATTACHMENTS_S3_BUCKET", "")
if ATTACHMENTS_S3_BUCKET:
    _attachment_storage: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ATTACHMENTS_S3_BUCKET,
            "endpoint_url": os.environ.get("ATTACHMENTS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("ATTACHMENTS_S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
else:
    _attachment_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(DATA_DIR / "attachments"),
            "directory_permissions_mode": 0o700,
            "file_permissions_mode": 0o600,
        },
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": _attachment_storage,
}
ATTACHMENT_MAX_FILE_BYTES = int(os.environ.get("ATTACHMENT_MAX_FILE_BYTES", str(20 * 1024 * 1024)))
ATTACHMENT_MAX_PER_RECORD = int(os.environ.get("ATTACHMENT_MAX_PER_RECORD", "100"))
ATTACHMENT_MAX_IMAGE_PIXELS = int(os.environ.get("ATTACHMENT_MAX_IMAGE_PIXELS", str(50_000_000)))
ATTACHMENT_LINK_SECONDS = int(os.environ.get("ATTACHMENT_LINK_SECONDS", "60"))
# Removed attachments (row and file) are kept this long as history, then purged by beat.
ATTACHMENT_RETENTION_DAYS = int(os.environ.get("ATTACHMENT_RETENTION_DAYS", "30"))
# A clamd socket ("/run/clamav/clamd.ctl" or "tcp://host:3310"); unset: no virus scan.
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "")
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None
# Exports (backend/exports): files in the attachments storage under exports/, kept this long.
EXPORT_EXPIRY_DAYS = int(os.environ.get("EXPORT_EXPIRY_DAYS", "7"))
EXPORT_BATCH_SIZE = int(os.environ.get("EXPORT_BATCH_SIZE", "100"))  # records per keyset page
EXPORT_PDF_MAX_RECORDS = int(os.environ.get("EXPORT_PDF_MAX_RECORDS", "500"))
# A file (after compression and zip) larger than this stops its export: EXPORT_TOO_LARGE.
EXPORT_MAX_BYTES = int(os.environ.get("EXPORT_MAX_BYTES", str(50 * 2**20)))
# A RUNNING export whose worker has not reported for this long is FAILED: EXPORT_INTERRUPTED.
EXPORT_STALE_MINUTES = int(os.environ.get("EXPORT_STALE_MINUTES", "10"))
# A TrueType font with Latin and Arabic glyphs (Debian: fonts-dejavu-core).
EXPORT_PDF_FONT = os.environ.get(
    "EXPORT_PDF_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "casework")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# After losing the broker the worker tries again every BROKER_RECONNECT_MAX_SECONDS at most
# (Celery's own pauses grow to 30 s), and keeps trying however long the outage lasts
# (Celery stops after 100 attempts: a few minutes at this pace).
CELERY_WORKER_CONSUMER = "backend.celery_consumer:Consumer"
BROKER_RECONNECT_MAX_SECONDS = float(os.environ.get("BROKER_RECONNECT_MAX_SECONDS", "2"))
CELERY_BROKER_CONNECTION_MAX_RETRIES = (
    int(os.environ["BROKER_CONNECTION_MAX_RETRIES"])
    if os.environ.get("BROKER_CONNECTION_MAX_RETRIES")
    else None
)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING (JSON in production)
# Beat: relay outbox events the broker missed (also `manage.py relay_outbox --loop`), and
# raise overdue-service alerts (idempotent: once per service entry), and purge removed
# attachments past their retention.
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "notifications.relay_outbox", "schedule": 60.0},
    "purge-expired-exports": {"task": "exports.purge_expired", "schedule": 3600.0},
    "fail-interrupted-exports": {"task": "exports.fail_interrupted", "schedule": 60.0},
    "overdue-service-alerts": {
        "task": "notifications.raise_overdue_service_alerts",
        "schedule": 3600.0,
    },
    "purge-removed-attachments": {
        "task": "attachments.purge_removed_attachments",
        "schedule": 86400.0,
    },
}

# --- E-mail (sent by the worker from the outbox) -----------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "casework@localhost")
# An outbox event relayed this long ago and still undelivered is relayed again (lost message).
OUTBOX_REDELIVER_AFTER_SECONDS = int(os.environ.get("OUTBOX_REDELIVER_AFTER_SECONDS", "600"))

# --- Static files, locale, logging ----------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "backend" / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or DATA_DIR / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
# Uploaded files; `manage.py backup` archives this folder with the database.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or DATA_DIR / "media")
LANGUAGE_CODE = "en"
USE_TZ = True
TIME_ZONE = "UTC"

# Bearer token of GET /metrics (Prometheus); unset: /metrics answers 404.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# Record selections are produced by a plan made once per selection (graphql_schema.execution);
# COMPILED_RECORD_EXECUTION=0 executes every field through graphql-core instead.
COMPILED_RECORD_EXECUTION = os.environ.get("COMPILED_RECORD_EXECUTION", "1") == "1"

# LOG_FORMAT=json (the container's default): one JSON object per line, with the request id,
# tenant, user id and operation name of the request being served; never a value or a token.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "backend.observability.request_log.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "strawberry.execution": {"level": "CRITICAL"},  # graphql_schema.errors logs instead
        "pgserver": {"level": "WARNING"},
    },
}
