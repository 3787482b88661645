"""Encryption at rest and keyed hashes for personal data (resident ID numbers, phones).

Values are encrypted with AES-256-GCM; the nonce is random, so equal values encrypt
differently. Uniqueness and exact lookup use an HMAC-SHA256 of the normalized value with a
separate derived key, so the database never holds a plain ID number nor a guessable hash.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_PREFIX = "v1:"


@lru_cache(maxsize=4)
def _derive(secret: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"frontline", info=label).derive(secret.encode())


def _encryption_key() -> bytes:
    return _derive(settings.FRONTLINE_DATA_KEY, b"encrypt-personal-data")


@lru_cache(maxsize=4)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def _hash_key() -> bytes:
    return _derive(settings.FRONTLINE_DATA_KEY, b"lookup-personal-data")


def encrypt(plaintext: str) -> str:
    """Return `plaintext` encrypted as printable text; the empty string stays empty."""
    if not plaintext:
        return ""
    nonce = os.urandom(12)
    sealed = _cipher(_encryption_key()).encrypt(nonce, plaintext.encode(), None)
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    """Return the plaintext of a value made by `encrypt`."""
    if not token:
        return ""
    if not token.startswith(_PREFIX):
        raise ValueError("unknown ciphertext format")
    raw = base64.urlsafe_b64decode(token[len(_PREFIX) :])
    return _cipher(_encryption_key()).decrypt(raw[:12], raw[12:], None).decode()


def keyed_hash(value: str) -> str:
    """Return the hex HMAC of a normalized value, for unique constraints and exact lookup."""
    if not value:
        return ""
    return hmac.new(_hash_key(), value.strip().upper().encode(), hashlib.sha256).hexdigest()
