"""Seeding the demo once for a whole test module (it takes seconds, not milliseconds).

The seed runs inside one transaction that is rolled back when the module is done. The
transaction is marked like a test case's own (`_from_testcase`), so the services' durable blocks
run inside it exactly as they do inside a test; each test then runs in its own savepoint.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

T = TypeVar("T")


@contextmanager
def seeded_demo(
    django_db_blocker: Any, media: Path, then: Callable[[], T] | None = None
) -> Iterator[T | None]:
    """seed_demo (then `then()`, whose result is yielded) in a transaction rolled back on exit.

    The settings tests/conftest.py gives each test (fast hasher, media in a temporary folder) are
    set here too: a module fixture runs before them."""
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=media,
        STORAGES={
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        },
    )
    with fast, django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # type: ignore[attr-defined]
        atomic.__enter__()
        try:
            call_command("seed_demo", "--force", stdout=io.StringIO())
            yield then() if then is not None else None
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
