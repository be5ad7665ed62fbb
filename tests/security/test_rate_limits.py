"""Rate limits on the public complaint form and the public search."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tuoyu_portal import ratelimit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tight_limits(settings: Any) -> None:
    settings.PUBLIC_RATE_LIMITS = {
        **settings.PUBLIC_RATE_LIMITS,
        "api-public-complaint-create:POST": "3/h",
        "public-complaint-new:POST": "3/h",
        "public-facilities-api:GET": "5/m",
        "public-search:GET": "5/m",
    }
    cache.clear()


def test_it_limits_public_complaints_per_address_with_the_api_error_shape() -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    body = {"facility": "nope", "content": "x", "contact": ""}
    answers = [
        client.post("/api/v1/public/complaints/", body, content_type="application/json")
        for _ in range(4)
    ]
    assert [a.status_code for a in answers[:3]] == [400, 400, 400]  # unknown facility, not limited
    assert answers[3].status_code == 429
    assert answers[3].json() == {
        "errors": [{"code": "throttled", "message": "请求过于频繁，请稍后再试。", "field": None}]
    }
    assert int(answers[3]["Retry-After"]) > 0
    # Another address is counted separately.
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert (
        other.post("/api/v1/public/complaints/", body, content_type="application/json").status_code
        == 400
    )


def test_it_limits_the_public_complaint_page_post_but_not_its_get() -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        assert client.get("/public/complaints/new/").status_code == 200
    codes = [
        client.post("/public/complaints/new/", {"facility": "x"}).status_code for _ in range(4)
    ]
    assert 429 not in codes[:3]
    assert codes[3] == 429


@pytest.mark.parametrize("path", ["/api/v1/public/facilities/", "/public/"])
def test_it_limits_public_search(path: str) -> None:
    client = Client(REMOTE_ADDR="198.51.100.1")
    codes = [client.get(path, {"q": "托育"}).status_code for _ in range(6)]
    assert codes[:5] == [200] * 5
    assert codes[5] == 429


def test_it_does_not_limit_signed_in_staff_routes(county_reviewer: Any) -> None:
    client = Client(REMOTE_ADDR="198.51.100.2")
    client.force_login(county_reviewer)
    codes = {client.get("/api/v1/filings/").status_code for _ in range(8)}
    assert 429 not in codes


def test_it_ignores_forwarded_for_unless_a_proxy_is_trusted(settings: Any) -> None:
    spoofing = [
        Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}") for i in range(6)
    ]
    codes = [c.get("/api/v1/public/facilities/").status_code for c in spoofing]
    assert codes[5] == 429  # the header changes nothing: same REMOTE_ADDR
    settings.RATE_LIMIT_PROXY_COUNT = 1
    cache.clear()
    codes = [c.get("/api/v1/public/facilities/").status_code for c in spoofing]
    assert 429 not in codes


def test_it_ships_production_defaults_for_every_public_form() -> None:
    from django.conf import settings as dj

    for scope in (
        "api-public-complaint-create:POST",
        "public-complaint-new:POST",
        "public-facilities-api:GET",
        "public-search:GET",
    ):
        assert scope in dj.PUBLIC_RATE_LIMITS
        ratelimit.parse_rate(dj.PUBLIC_RATE_LIMITS[scope])
    assert ratelimit.parse_rate("20/min") == (20, 60)
    assert ratelimit.parse_rate("5/h") == (5, 3600)
