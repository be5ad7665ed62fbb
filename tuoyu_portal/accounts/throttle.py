"""A per-account sign-in limit across all addresses.

django-axes locks a user *from one address* after 5 failures; guesses spread over many addresses
were not limited. Here every failure of a username counts, from anywhere: after
``LOGIN_ACCOUNT_FAILURE_LIMIT`` failures within ``LOGIN_ACCOUNT_WINDOW_SECONDS`` the account is
held for ``LOGIN_ACCOUNT_LOCK_SECONDS``, doubling with each consecutive hold up to
``LOGIN_ACCOUNT_LOCK_MAX_SECONDS``. Never a permanent lockout: attempts during a hold are refused
without being counted (nobody can extend it), a hold always ends, and a success clears the
record. Counted in PostgreSQL (one row per username, locked while updated) so every process
agrees.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import LoginThrottle


class AccountThrottled(AxesBackendPermissionDenied):
    """Raised by the backend while the account is held; answered like an axes lockout."""


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def held_seconds(username: str) -> int:
    """Seconds left on the account's hold (0 when it may try)."""
    row = LoginThrottle.objects.filter(username=username).only("locked_until").first()
    if row is None or row.locked_until is None:
        return 0
    return max(0, int((row.locked_until - timezone.now()).total_seconds()))


@transaction.atomic
def record_failure(username: str) -> None:
    now = timezone.now()
    window = timedelta(seconds=_setting("LOGIN_ACCOUNT_WINDOW_SECONDS", 900))
    row, _created = LoginThrottle.objects.select_for_update().get_or_create(
        username=username[:150], defaults={"window_started": now}
    )
    if row.locked_until is not None and row.locked_until > now:
        return  # refused during a hold: not counted, so a hold cannot be prolonged
    if row.locked_until is not None and now - row.locked_until > timedelta(days=1):
        row.locks = 0  # a quiet day forgets earlier holds
    if now - row.window_started > window:
        row.failures, row.window_started = 0, now
    row.failures += 1
    if row.failures >= _setting("LOGIN_ACCOUNT_FAILURE_LIMIT", 10):
        row.locks += 1
        seconds = min(
            _setting("LOGIN_ACCOUNT_LOCK_SECONDS", 60) * 2 ** min(row.locks - 1, 20),
            _setting("LOGIN_ACCOUNT_LOCK_MAX_SECONDS", 900),
        )
        row.locked_until = now + timedelta(seconds=seconds)
        row.failures, row.window_started = 0, now
    row.save()


def record_success(username: str) -> None:
    LoginThrottle.objects.filter(username=username).delete()


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any
) -> None:
    username = credentials.get("username")
    if isinstance(username, str) and username:
        record_failure(username)


def on_logged_in(sender: Any, request: Any, user: Any, **_: Any) -> None:
    record_success(user.get_username())


class AccountThrottleBackend:
    """First in AUTHENTICATION_BACKENDS after axes: refuses a held account before any password
    is checked (so a hold also stops the guessing it is meant to slow). No ``get_user``: it
    never signs anyone in, so sessions (and the test client's force_login) skip it."""

    def authenticate(self, request: Any, username: str | None = None, **_: Any) -> None:
        if username and held_seconds(username):
            if request is not None:
                request.axes_locked_out = True  # AxesMiddleware answers with the lockout page
            raise AccountThrottled
        return None
