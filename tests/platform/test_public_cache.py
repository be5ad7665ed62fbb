"""The public register's response cache (tuoyu_portal/publiccache.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from registry.models import Filing
from tests.factories import FiledFilingFactory

LIST = "/api/v1/public/facilities/"


@pytest.fixture
def cached(settings: Any) -> None:
    settings.PUBLIC_CACHE_SECONDS = 60
    cache.clear()


def _queries(client: Client, url: str, **extra: Any) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    return len(ctx.captured_queries), response


def test_it_serves_a_repeat_from_the_cache_with_the_same_body_and_headers(
    db: None, cached: None
) -> None:
    FiledFilingFactory()
    client = Client()
    first_queries, first = _queries(client, LIST)
    repeat_queries, repeat = _queries(client, LIST)
    assert first.status_code == repeat.status_code == 200
    assert first_queries >= 1 and repeat_queries == 0
    assert repeat.content == first.content
    for header in ("Content-Type", "Content-Security-Policy", "X-Content-Type-Options"):
        assert repeat.headers.get(header) == first.headers.get(header), header


def test_a_saved_filing_is_searchable_at_once(transactional_db: None, cached: None) -> None:
    # Transactional: the version is bumped after the commit.
    client = Client()
    before = client.get(LIST).json()["results"]
    filing = FiledFilingFactory()
    after = client.get(LIST).json()["results"]
    assert [r["filing_number"] for r in after] == [
        filing.filing_number,
        *[r["filing_number"] for r in before],
    ]
    Filing.objects.filter(pk=filing.pk).update(status="deregistered")
    filing.save(update_fields=["updated_at"])  # services save; the signal bumps the version
    assert filing.filing_number not in [
        r["filing_number"] for r in client.get(LIST).json()["results"]
    ]


def test_it_never_caches_for_signed_in_callers_or_other_methods(db: None, cached: None) -> None:
    FiledFilingFactory()
    client = Client()
    client.get(LIST)
    queries, _response = _queries(client, LIST, HTTP_AUTHORIZATION="Token abc")
    assert queries >= 1
    client.cookies["sessionid"] = "x"
    queries, _response = _queries(client, LIST)
    assert queries >= 1


def test_cache_hits_still_count_against_the_rate_limit(
    db: None, cached: None, settings: Any
) -> None:
    settings.PUBLIC_RATE_LIMITS = {
        **settings.PUBLIC_RATE_LIMITS,
        "public-facilities-api:GET": "3/m",
    }
    FiledFilingFactory()
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [client.get(LIST).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]


def test_a_visitor_with_harmless_cookies_is_served_and_the_language_keeps_apart(
    db: None, cached: None
) -> None:
    FiledFilingFactory()
    client = Client()
    client.cookies["csrftoken"] = "x" * 32
    client.get(LIST)
    queries, _response = _queries(client, LIST)
    assert queries == 0  # a CSRF cookie is not a credential
    client.cookies["django_language"] = "en"
    queries, _response = _queries(client, LIST)
    assert queries >= 1  # another language is another answer
