"""Freeze Beijing time at 2026-06-15 10:00 for every statistics test (the data set's 'today')."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from tests.dashboard.factories import NOW, seed_stats


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def stats(db: None) -> dict[str, Any]:
    return seed_stats()
