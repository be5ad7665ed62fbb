"""Personal identifiers at rest: AES-GCM encryption, keyed-hash matching, masking.

The key comes from FIELD_ENCRYPTION_KEY (outside the database). Matching (ban register,
duplicate staff, child-month de-duplication) uses HMAC-SHA256 under a key derived from it, so
equality can be checked without decrypting anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from tuoyu_portal.identifiers import normalise_identifier

_VERSION = b"v1"


@lru_cache(maxsize=4)
def _keys(raw: str) -> tuple[bytes, bytes]:
    master = base64.b64decode(raw)
    if len(master) != 32:
        raise ValueError("FIELD_ENCRYPTION_KEY must be base64 of 32 bytes")
    enc = hmac.new(master, b"tuoyu-field-encryption", hashlib.sha256).digest()
    mac = hmac.new(master, b"tuoyu-field-matching", hashlib.sha256).digest()
    return enc, mac


def encrypt(plaintext: str) -> str:
    enc_key, _mac = _keys(settings.FIELD_ENCRYPTION_KEY)
    nonce = os.urandom(12)
    sealed = AESGCM(enc_key).encrypt(nonce, plaintext.encode("utf-8"), _VERSION)
    return (_VERSION + b":" + base64.b64encode(nonce + sealed)).decode("ascii")


def decrypt(token: str) -> str:
    enc_key, _mac = _keys(settings.FIELD_ENCRYPTION_KEY)
    version, _, body = token.encode("ascii").partition(b":")
    raw = base64.b64decode(body)
    return AESGCM(enc_key).decrypt(raw[:12], raw[12:], version).decode("utf-8")


def normalise_id(value: str) -> str:
    """The one normaliser (NFKC, no spaces, upper case): what is hashed is what is stored."""
    return normalise_identifier(value)


def keyed_hash(value: str) -> str:
    """Deterministic HMAC of a normalised identifier, for equality lookups."""
    _enc, mac_key = _keys(settings.FIELD_ENCRYPTION_KEY)
    return hmac.new(mac_key, normalise_id(value).encode("utf-8"), hashlib.sha256).hexdigest()


def mask_id(value: str) -> str:
    """110105********002X: region code and last four, nothing else."""
    value = normalise_id(value)
    if len(value) <= 10:
        return value[:1] + "*" * max(len(value) - 2, 0) + value[-1:]
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    value = value.strip()
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
