"""TOTP two-factor authentication: enrolment, verification without replay, removal.

Secrets are stored Fernet-encrypted with a key derived from TOTP_ENCRYPTION_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

import pyotp
from cryptography.fernet import Fernet
from django.conf import settings
from django.utils import timezone

from backend.accounts import sessions
from backend.accounts.errors import (
    InvalidTotp,
    TotpAlreadyEnabled,
    TotpEnrollmentNotStarted,
    TotpNotEnabled,
    TotpRequiredByRole,
)
from backend.accounts.models import TotpDevice, User
from backend.accounts.throttle import check_login_attempt
from backend.tenancy.context import tenant_transaction


@dataclass(frozen=True)
class TotpEnrollment:
    secret: str
    otpauth_uri: str


def _fernet() -> Fernet:
    digest = hashlib.sha256(settings.TOTP_ENCRYPTION_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _totp(device: TotpDevice) -> pyotp.TOTP:
    return pyotp.TOTP(_fernet().decrypt(device.encrypted_secret.encode()).decode())


def confirmed_device(user: User, *, lock: bool = False) -> TotpDevice | None:
    devices = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False)
    return (devices.select_for_update() if lock else devices).first()


def accept_code(device: TotpDevice, code: str) -> bool:
    """True when the code is the current one (or a neighbour, for clock drift) and newer than
    the last accepted one; remembers its step, so the same code is refused afterwards.
    Call with the device row locked."""
    code = code.replace(" ", "").strip()
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return False
    totp = _totp(device)
    now_step = int(time.time()) // totp.interval
    for step in (now_step - 1, now_step, now_step + 1):
        if step > device.last_used_step and hmac.compare_digest(totp.generate_otp(step), code):
            device.last_used_step = step
            device.save(update_fields=["last_used_step"])
            return True
    return False


def begin_totp_enrollment(user: User) -> TotpEnrollment:
    """A new secret for the user's authenticator app; enabled once confirmed with a code."""
    with tenant_transaction(user.tenant_id):
        if confirmed_device(user, lock=True) is not None:
            raise TotpAlreadyEnabled("Two-factor authentication is already on. Disable it first.")
        secret = pyotp.random_base32()
        TotpDevice.objects.update_or_create(
            user=user,
            defaults={
                "tenant_id": user.tenant_id,
                "encrypted_secret": _fernet().encrypt(secret.encode()).decode(),
                "confirmed_at": None,
                "last_used_step": 0,
            },
        )
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.username, issuer_name=f"{settings.TOTP_ISSUER} {user.tenant.slug}"
    )
    return TotpEnrollment(secret=secret, otpauth_uri=uri)


def confirm_totp_enrollment(principal: sessions.Principal, code: str) -> sessions.TokenPair | None:
    """Enable TOTP once the user proves the authenticator with a code.

    A caller signed in with enrolment-only tokens gets that session ended and a full token pair
    back; anyone else keeps their session and gets None."""
    user = principal.user
    with tenant_transaction(user.tenant_id):
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            raise TotpEnrollmentNotStarted("Start with beginTotpEnrollment.")
        if device.confirmed_at is not None:
            raise TotpAlreadyEnabled("Two-factor authentication is already on.")
        if not accept_code(device, code):
            raise InvalidTotp("The two-factor code is not valid.")
        device.confirmed_at = timezone.now()
        device.save(update_fields=["confirmed_at"])
        if not principal.totp_enrollment_only:
            return None
        sessions.end_sessions(user, "totp_enrolled")
        return sessions.open_session(user)


def disable_totp(user: User, code: str) -> None:
    """Turn TOTP off, proven by a current code. Refused when the user's role requires it."""
    check_login_attempt(client_ip=None, tenant_slug=user.tenant.slug, username=user.username)
    if user.role is not None and user.role.requires_two_factor:
        raise TotpRequiredByRole("Your role requires two-factor authentication.")
    with tenant_transaction(user.tenant_id):
        device = confirmed_device(user, lock=True)
        if device is None:
            raise TotpNotEnabled("Two-factor authentication is not on.")
        if not accept_code(device, code):
            raise InvalidTotp("The two-factor code is not valid.")
        device.delete()


def reset_totp(user: User) -> None:
    """Remove the user's authenticator (an administrator's action, e.g. after a lost phone)."""
    with tenant_transaction(user.tenant_id):
        TotpDevice.objects.filter(user=user).delete()
