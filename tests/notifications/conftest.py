"""Notifications run at a frozen Beijing time; the cast gets e-mail addresses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.dashboard.factories import NOW


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield
