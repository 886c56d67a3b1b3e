"""Encryption at rest for private SUD counseling notes (Fernet: AES-128-CBC + HMAC-SHA256).

The key is OPENIOP_NOTES_KEY. In dev mode without one, a key is derived from the secret key so
the demo works; outside dev mode the app refuses to start without a real key (config.py).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from openiop.config import Settings
from openiop.kit.errors import DomainError


class NoteKeyError(DomainError):
    status_code = 500
    title = "Private notes cannot be read"


def fernet_for(settings: Settings) -> Fernet:
    key = settings.notes_key
    if not key and settings.dev_mode:
        digest = hashlib.sha256(b"openiop-dev-notes:" + settings.secret_key.encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    if not key:
        raise NoteKeyError("OPENIOP_NOTES_KEY is not set: private notes are unavailable.")
    return Fernet(key.encode())


def encrypt(settings: Settings, text: str) -> str:
    return fernet_for(settings).encrypt(text.encode()).decode("ascii")


def decrypt(settings: Settings, token: str) -> str:
    try:
        return fernet_for(settings).decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        # Wrong or rotated key, or a tampered row: say so rather than show garbage.
        raise NoteKeyError(
            "This private note cannot be decrypted with the current OPENIOP_NOTES_KEY."
        ) from None
