"""API tokens: issue on sign-in, authenticate, expire, revoke (api.md 1.1)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .models import ApiToken, User


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def ttl() -> timedelta:
    return timedelta(seconds=int(settings.API_TOKEN_TTL))


def issue_token(user: User, *, client: str = "") -> tuple[ApiToken, str]:
    """A new token for each sign-in; the user's expired ones are cleared on the way."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user, key_hash=key_hash(key), expires_at=now + ttl(), client=client[:200]
    )
    return token, key


def revoke(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).delete()


def revoke_own(user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False if it is not theirs (or already gone)."""
    deleted, _rows = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


def revoke_all(user: Any) -> None:
    ApiToken.objects.filter(user_id=user.pk).delete()


def live_tokens(user: User) -> QuerySet[ApiToken]:
    """Selector for the token page: the user's tokens that still work."""
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now())


def revoke_on_password_change(sender: type, instance: User, **_kwargs: Any) -> None:
    """post_save of User: a password set by set_password() (every change path: the password
    form, admin, changepassword) revokes every token of that user."""
    if getattr(instance, "_password", None) is not None:
        revoke_all(instance)
