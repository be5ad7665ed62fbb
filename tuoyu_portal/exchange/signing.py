"""HMAC-SHA256 signatures of pushed events (docs/exchange.md "Signature")."""

from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256("<timestamp>.<body>") — the timestamp is signed so it
    cannot be swapped to replay an old body."""
    message = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Constant-time comparison, so the signature cannot be guessed byte by byte."""
    if not secret or not signature:
        return False
    try:
        expected = sign(secret, timestamp, body)
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))
