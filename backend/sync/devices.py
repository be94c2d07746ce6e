"""Devices: registered by their user, revoked by their user or a tenant administrator.

`device_for` is the one check every sync operation makes on the device it is given.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.errors import BadUserInput, NotFound, check_text_length
from backend.ids import InvalidId, parse_id
from backend.sync.errors import DeviceRevoked, UnknownDevice
from backend.sync.models import Device
from permissions.actions import require_action_on_any, role_allows

NAME_LENGTH = 100
PLATFORM_LENGTH = 40
# Active devices per user: a lost tablet is revoked, not left beside its replacement.
MAX_ACTIVE_DEVICES = 20


def register_device(user: User, name: str, platform: str | None = None) -> Device:
    require_action_on_any(user, "sync_mobile")
    name = name.strip()
    if not name:
        raise BadUserInput("Name the device.", field="name")
    check_text_length("name", name, NAME_LENGTH)
    check_text_length("platform", platform, PLATFORM_LENGTH)
    with transaction.atomic():
        active = Device.objects.filter(user=user, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_DEVICES:
            raise BadUserInput(
                f"You have {active} devices registered: revoke one first.", field="name"
            )
        return Device.objects.create(
            tenant_id=user.tenant_id, user=user, name=name, platform=(platform or "").strip()
        )


def user_devices(user: User) -> list[Device]:
    """The user's devices, newest first, revoked ones included."""
    return list(Device.objects.filter(user=user).order_by("-registered_at", "pk"))


def devices_of(actor: User, username: str) -> list[Device]:
    """Another user's devices, for an administrator (`manage_users`) revoking a lost one."""
    if not role_allows(actor, "manage_users"):
        raise NotFound(f"No user {username}.")
    target = User.objects.filter(tenant_id=actor.tenant_id, username=username).first()
    if target is None:
        raise NotFound(f"No user {username}.")
    return user_devices(target)


def device_for(user: User, device_id: object, *, allow_revoked: bool = False) -> Device:
    """The caller's own device: UNKNOWN_DEVICE for any other id (another user's, another
    tenant's, none), DEVICE_REVOKED for a revoked one unless `allow_revoked`; FORBIDDEN
    once the user's role no longer allows mobile sync (a revoked device still hears `wipe`)."""
    device = _own_device(user, device_id)
    if device.revoked and not allow_revoked:
        raise DeviceRevoked("This device was revoked: wipe its data.", field="deviceId")
    if not device.revoked:
        require_action_on_any(user, "sync_mobile")
    return device


def _own_device(user: User, device_id: object) -> Device:
    unknown = UnknownDevice("This is not one of your devices.", field="deviceId")
    try:
        pk = parse_id(device_id, field="deviceId")
    except InvalidId:
        raise unknown from None
    device = Device.objects.filter(pk=pk, user=user, tenant_id=user.tenant_id).first()
    if device is None:
        raise unknown
    return device


def revoke_device(actor: User, device_id: object) -> Device:
    """Revoke a device of the actor's, or any device of the tenant for an administrator.
    Its sync state goes: the device is told to wipe, and nothing more reaches it."""
    unknown = UnknownDevice("No such device.", field="id")
    try:
        pk: uuid.UUID = parse_id(device_id)
    except InvalidId:
        raise unknown from None
    with transaction.atomic():
        devices = Device.objects.select_for_update().filter(pk=pk, tenant_id=actor.tenant_id)
        if not role_allows(actor, "manage_users"):
            devices = devices.filter(user=actor)
        device = devices.first()
        if device is None:
            raise unknown
        if not device.revoked:
            device.revoked_at = timezone.now()
            device.revoked_by = actor
            device.save(update_fields=["revoked_at", "revoked_by"])
            device.records.all().delete()
        return device
