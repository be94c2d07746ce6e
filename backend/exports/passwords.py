"""A zip password kept only while its export waits: encrypted with a key derived from the
server's secret, wiped once the export has run."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    key = hashlib.sha256(f"exports.password:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(password: str) -> str:
    return _fernet().encrypt(password.encode()).decode()


def unseal(sealed: str) -> str | None:
    return _fernet().decrypt(sealed.encode()).decode() if sealed else None
