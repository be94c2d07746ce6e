"""A short digest of a caller's schema, so that clients notice when it changed.

It changes with the tenant's published configuration (forms, lookups, workflow settings: what
`forms` returns) and with the compiled SDL (which a new server version may change too).
"""

from __future__ import annotations

import hashlib
import threading
import weakref

import strawberry

from backend.forms.configuration import published_configuration
from backend.tenancy.models import Tenant

_sdl_digests: weakref.WeakKeyDictionary[strawberry.Schema, str] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _sdl_digest(schema: strawberry.Schema) -> str:
    digest = _sdl_digests.get(schema)
    if digest is None:
        digest = hashlib.sha256(schema.as_str().encode()).hexdigest()
        with _lock:
            _sdl_digests[schema] = digest
    return digest


def schema_version(tenant: Tenant, schema: strawberry.Schema) -> str:
    configuration = published_configuration(tenant)
    source = f"{configuration.digest}:{_sdl_digest(schema)}"
    return hashlib.sha256(source.encode()).hexdigest()[:16]
