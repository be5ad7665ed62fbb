"""What waits for a person: the pending actions each app contributes for the home page
(settings.HOME_WAITING, dotted paths of `(user) -> [{"text", "url"}]`, imported when called so
the platform imports no app)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from tuoyu_portal.accounts.models import User

# A home page says "99+" rather than count a whole province's backlog.
COUNT_CAP = 99


def capped_count(rows: QuerySet[Any]) -> str:
    """How many rows, read no further than the cap ("" for none)."""
    found = len(rows.order_by().values("pk")[: COUNT_CAP + 1])
    if not found:
        return ""
    return f"{COUNT_CAP}+" if found > COUNT_CAP else str(found)


def pending_actions(user: User) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = []
    for path in getattr(settings, "HOME_WAITING", []):
        actions.extend(import_string(path)(user))
    return actions
