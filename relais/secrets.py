"""Encryption at rest and keyed hashes of sensitive identifiers (NIR), from FIELD_ENCRYPTION_KEY."""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _key(purpose):
    return hashlib.sha256(f"{purpose}:{settings.FIELD_ENCRYPTION_KEY}".encode()).digest()


def _fernet():
    return Fernet(base64.urlsafe_b64encode(_key("encryption")))


def encrypt(value):
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token):
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def keyed_hash(value, purpose):
    """Deterministic, keyed: finds equal values without storing them; useless without the key."""
    if not value:
        return ""
    return hmac.new(_key(f"hash:{purpose}"), value.encode(), hashlib.sha256).hexdigest()
