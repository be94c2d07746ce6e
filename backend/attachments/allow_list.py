"""Which file types each attachment field type accepts in a tenant: the platform's defaults,
or the tenant's own choice among the types the server knows how to check
(`Tenant.attachment_types`: {"audio": ["audio/mpeg", "audio/x-wav"], ...}).

A field type the tenant does not name keeps its defaults; a tenant may narrow a list or add
a type the platform permits (WAV recordings, say), never one it cannot sniff and check.
"""

from __future__ import annotations

from typing import Any

from backend.attachments.sniffing import ALLOWED, PERMITTED
from backend.error_codes import ErrorCode
from backend.tenancy.models import Tenant
from backend.workflows.settings_check import SettingError


def allowed_types(tenant: Tenant, field_type: str) -> frozenset[str]:
    chosen = (tenant.attachment_types or {}).get(field_type)
    if isinstance(chosen, list):
        return frozenset(chosen) & PERMITTED.get(field_type, frozenset())
    return ALLOWED.get(field_type, frozenset())


def effective_types(tenant: Tenant) -> dict[str, list[str]]:
    """Every attachment field type with the types it accepts in this tenant."""
    return {str(field_type): sorted(allowed_types(tenant, field_type)) for field_type in ALLOWED}


def _error(path: tuple[str, ...], message: str) -> SettingError:
    return SettingError(path, ErrorCode.INVALID_ATTACHMENT_TYPES, message)


def validate_attachment_types(value: Any) -> list[SettingError]:
    """Every problem of an `attachment_types` setting, paths inside it."""
    if not isinstance(value, dict):
        return [_error((), "a JSON object of field type to a list of content types.")]
    errors = []
    for field_type, types in value.items():
        permitted = PERMITTED.get(field_type)
        if permitted is None:
            errors.append(
                _error(
                    (str(field_type),),
                    f"{field_type!r} is not an attachment field type "
                    f"({', '.join(sorted(PERMITTED))}).",
                )
            )
            continue
        if not isinstance(types, list) or not types:
            errors.append(_error((field_type,), f"{field_type}: a non-empty list of types."))
            continue
        for index, content_type in enumerate(types):
            where = (field_type, str(index))
            if content_type not in permitted:
                errors.append(
                    _error(
                        where,
                        f"{field_type}: {content_type!r} is not a type this server checks for "
                        f"{field_type} fields ({', '.join(sorted(permitted))}).",
                    )
                )
            elif types.index(content_type) != index:
                errors.append(_error(where, f"{field_type}: {content_type!r} is listed twice."))
    return errors
