"""Encryption at rest and keyed hashes of sensitive identifiers (NIR), from FIELD_ENCRYPTION_KEY.

FIELD_ENCRYPTION_KEY is a Fernet key (32 random bytes in url-safe base64); the encryption and hashing keys
are derived from it, one per purpose. The checks below are what production demands of its secrets.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import string

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _key(purpose):
    return _derived(purpose, settings.FIELD_ENCRYPTION_KEY)


@functools.lru_cache(maxsize=64)
def _derived(purpose, secret):
    """The key of ``purpose`` drawn from ``secret``: derived once per key (an import hashes and encrypts per row)."""
    return hashlib.sha256(f"{purpose}:{secret}".encode()).digest()


def _fernet():
    return _fernet_of(settings.FIELD_ENCRYPTION_KEY)


@functools.lru_cache(maxsize=8)
def _fernet_of(secret):
    return Fernet(base64.urlsafe_b64encode(_derived("encryption", secret)))


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


GENERATE_SECRET_KEY = 'python3 -c "import secrets; print(secrets.token_urlsafe(64))"'
GENERATE_FIELD_KEY = 'python3 -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
_PRINTABLE = frozenset(string.ascii_letters + string.digits + string.punctuation)


def secret_key_problem(value):
    """Why ``value`` cannot sign production sessions and tokens, in French; "" when it can."""
    problem = ""
    if not set(value) <= _PRINTABLE:
        problem = "elle contient une espace, un caractère accentué ou non imprimable"
    elif len(value) < 50:
        problem = f"elle compte {len(value)} caractères, il en faut au moins 50"
    elif len(set(value)) < 10:
        problem = "elle compte trop peu de caractères différents pour être aléatoire"
    elif value.startswith("django-insecure") or "relais-development" in value:
        problem = "c'est une clé de développement"
    if not problem:
        return ""
    return (
        f"La variable d'environnement SECRET_KEY n'est pas une clé acceptable : {problem}. "
        f"Générez-en une avec : {GENERATE_SECRET_KEY}"
    )


def field_encryption_key_problem(value):
    """Why ``value`` cannot be the key that encrypts data at rest, in French; "" when it can."""
    problem = ""
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii")) if len(value) == 44 else b""
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32 or base64.urlsafe_b64encode(raw).decode() != value:
        problem = "il faut 32 octets aléatoires encodés en base64 url-safe (44 caractères)"
    elif len(set(raw)) < 16:
        problem = "ses octets ne sont pas aléatoires"
    if not problem:
        return ""
    return (
        f"La variable d'environnement FIELD_ENCRYPTION_KEY n'est pas une clé de chiffrement valide : {problem}. "
        f"Générez-en une avec : {GENERATE_FIELD_KEY}"
    )
