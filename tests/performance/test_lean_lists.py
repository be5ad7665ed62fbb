"""Lean list pages (`ValuesListMixin`) say exactly what the serializers said.

The hot lists build their rows from `.values()` for speed; the detail views and this test keep
the serializer as the definition of each row. For every lean list and every demo user who can
read it, each row of the page equals the serializer's output for the same object, field by
field, after both went through the same JSON renderer.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import orjson
import pytest
from django.urls import resolve
from django.utils.translation import gettext_lazy
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from tests.performance.test_query_counts import _list_paths, _seeded, demo  # noqa: F401 (fixtures)
from tuoyu_portal.accounts.models import User
from tuoyu_portal.api import ValuesListMixin
from tuoyu_portal.renderers import FastJSONRenderer

LEAN_LISTS_EXPECTED = {
    "/api/v1/health-inbox/",
    "/api/v1/filings/",
    "/api/v1/registrations/",
    "/api/v1/public/facilities/",
    "/api/v1/inspections/",
}
# Rows are matched by id, or by this field where the public shape has no id.
ROW_KEY = {"/api/v1/public/facilities/": "filing_number"}


def _reference_rows(
    view_class: Any, path: str, user: User | None, keys: list[Any]
) -> dict[Any, Any]:
    """The serializer's rows for `ids`, as the list view would have rendered them before."""
    django_request = APIRequestFactory().get(path)
    if user is not None:
        force_authenticate(django_request, user=user)
    view = view_class(action="list", kwargs={}, format_kwarg=None)
    view.request = Request(django_request)
    if user is not None:
        view.request.user = user
    view.headers = {}
    key = ROW_KEY.get(path, "id")
    objects = view.filter_queryset(view.get_queryset()).filter(**{f"{key}__in": keys})
    data = view.get_serializer(list(objects), many=True).data
    rows = orjson.loads(FastJSONRenderer().render(data))
    return {row[key]: row for row in rows}


def test_lean_rows_equal_the_serializer_rows(demo: list[User]) -> None:  # noqa: F811
    lean_paths: set[str] = set()
    compared: set[str] = set()
    for path in _list_paths():
        view_class = resolve(path).func.cls  # type: ignore[attr-defined]
        if not issubclass(view_class, ValuesListMixin):
            continue
        lean_paths.add(path)
        key = ROW_KEY.get(path, "id")
        for user in [None, *demo]:
            client = APIClient()
            if user is not None:
                client.force_authenticate(user)
            response = client.get(path, {"page_size": 50})
            if response.status_code != 200:
                continue
            rows = response.json()["results"]
            if not rows:
                continue
            who = user.username if user else "anonymous"
            reference = _reference_rows(view_class, path, user, [r[key] for r in rows])
            assert len(reference) == len(rows), (path, who)
            for row in rows:
                assert row == reference[row[key]], (path, who, row[key])
            compared.add(path)
    assert lean_paths >= LEAN_LISTS_EXPECTED
    assert compared == lean_paths, f"no rows compared on {lean_paths - compared}"


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": [1, 2], "c": None, "d": "中文"},
        {"n": 1.5, "t": True},
        {"when": datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)},
        {"day": datetime.date(2026, 3, 2), "fee": Decimal("1200.50")},
        {"label": gettext_lazy("已备案")},
    ],
)
def test_the_fast_renderer_writes_what_drf_wrote(value: dict[str, Any]) -> None:
    from rest_framework.renderers import JSONRenderer

    assert orjson.loads(FastJSONRenderer().render(value)) == orjson.loads(
        JSONRenderer().render(value)
    )
