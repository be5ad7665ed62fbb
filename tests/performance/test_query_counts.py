"""Queries per page do not grow with the page: 1 row and 50 rows cost the same.

Walks every list endpoint of the API routers and every registered admin changelist over the demo
data set (`seed_demo`, several institutions in every state), as each demo user that can read it,
and compares the number of queries for pages of 1 and 2 rows with a page of up to 50 rows. A list
that serialises a relation per row (N+1) makes the last number larger and fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from inspections.models import Finding, Inspection
from registry.models import HealthInboxEntry
from tests import factories
from tests.demo_seed import seeded_demo
from tuoyu_portal.accounts.management.commands.seed_demo import DEMO_USERS
from tuoyu_portal.accounts.models import User

# Lists that hold fewer than two demo rows for every demo user prove nothing; the core ones must
# have at least two so the comparison is real.
MUST_HAVE_ROWS = {
    "/api/v1/registrations/",
    "/api/v1/filings/",
    "/api/v1/health-inbox/",
    "/api/v1/inspections/",
    "/api/v1/findings/",
    "/api/v1/public/facilities/",
}


def _list_paths() -> list[str]:
    """Paths of the API's list endpoints: router `*-list` routes plus plain list views."""
    paths: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and "<" not in route and "(?P" not in route:
                name = pattern.name or ""
                if route.startswith("api/v1/") and (
                    name.endswith("-list") or name == "public-facilities-api"
                ):
                    paths.append("/" + route.replace("^", "").replace("$", ""))

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


@pytest.fixture(scope="module")
def _seeded(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[None]:
    """The demo data set, seeded once for the module (tests/demo_seed.py)."""

    def extra() -> None:
        # A few more 岚山 rows (the demo users' county) so every core list has more rows than
        # the small pages compared against.
        inspector = User.objects.get(username="inspector")
        for n in range(5):
            inst = factories.InstitutionFactory(
                region_id="371103", credit_code=f"9137110300PERF{n:03d}X"
            )
            filing = factories.FiledFilingFactory(
                institution=inst, filing_number=f"371103-2026-P{n:04d}"
            )
            visit = factories.inspection(filing, inspector)
            factories.finding(visit)
            HealthInboxEntry.objects.create(
                idempotency_key=f"perf-{n}",
                event="approved",
                registration_ref=filing.registration_id,
                registration=filing.registration,
                credit_code=inst.credit_code,
                name=inst.name,
                region_id="371103",
                approved_on=date(2026, 1, 5),
                payload={},
            )

    with seeded_demo(django_db_blocker, tmp_path_factory.mktemp("perf-media"), extra):
        yield


@pytest.fixture
def demo(_seeded: None, db: None) -> list[User]:
    """The demo users of api.md (plus the inspector of the second county): one per role and
    region. The demo's many generated operators of the other institutions are the same case
    as `operator` and would only multiply the run time."""
    names = [spec["username"] for spec in DEMO_USERS]
    return list(User.objects.filter(is_active=True, username__in=names).order_by("username"))


def _count(client: Any, url: str) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    rows = 0
    if response.status_code == 200 and response.get("Content-Type", "").startswith(
        "application/json"
    ):
        body = response.json()
        rows = len(body.get("results", [])) if isinstance(body, dict) else len(body)
    return response.status_code, len(ctx.captured_queries), rows


def test_it_finds_the_list_endpoints() -> None:
    paths = _list_paths()
    assert set(paths) >= MUST_HAVE_ROWS, MUST_HAVE_ROWS - set(paths)


def test_it_costs_the_same_queries_for_1_and_50_rows_on_every_api_list(demo: list[User]) -> None:
    problems: list[str] = []
    proven: set[str] = set()
    for path in _list_paths():
        sep = "&" if "?" in path else "?"
        for user in [None, *demo]:
            client = APIClient()
            if user is not None:
                client.force_authenticate(user)
            status, one, _ = _count(client, f"{path}{sep}page_size=1")
            if status != 200:
                continue
            _, two, _ = _count(client, f"{path}{sep}page_size=2")
            _, fifty, rows = _count(client, f"{path}{sep}page_size=50")
            # A page may add a constant lookup once some row needs it (a prefetch with nothing
            # to fetch on a 1-row page, the working-day calendar once a row has a clock), so the
            # bar is per row: from 2 rows to `rows` rows the count may not grow by one query
            # per added row (N+1). Demo lists are short, so 5+ rows are needed to tell.
            if rows >= 5:
                proven.add(path)
                if fifty - max(one, two) >= rows - 2:
                    who = user.username if user else "anonymous"
                    problems.append(
                        f"{path} as {who}: {one} queries for 1 row, {two} for 2, {fifty} for {rows}"
                    )
    assert not problems, "\n".join(problems)
    assert proven >= MUST_HAVE_ROWS, f"no demo rows to compare on {MUST_HAVE_ROWS - proven}"


def test_it_costs_the_same_queries_for_1_and_50_rows_on_every_admin_changelist(
    demo: list[User], monkeypatch: pytest.MonkeyPatch
) -> None:
    superuser = User.objects.create_superuser("perf_admin", "perf@example.cn", "x")
    client = Client()
    client.force_login(superuser)
    problems: list[str] = []
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        counts = {}
        for per_page in (1, 50):
            monkeypatch.setattr(model_admin, "list_per_page", per_page)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            counts[per_page] = (len(ctx.captured_queries), len(response.context["cl"].result_list))
        (one, _), (fifty, rows) = counts[1], counts[50]
        if rows >= 2 and fifty != one:
            problems.append(f"{url}: {one} queries for 1 row, {fifty} for {rows}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("exact_count_limit", [10_000, 0], ids=["exact count", "estimate"])
def test_it_costs_the_same_queries_for_1_and_50_rows_when_filtered_or_searched(
    demo: list[User], monkeypatch: pytest.MonkeyPatch, settings: Any, exact_count_limit: int
) -> None:
    """The inspectors' lists at scale: search, filters, both count strategies."""
    settings.ADMIN_EXACT_COUNT_LIMIT = exact_count_limit
    urls = [
        "/admin/inspections/inspection/?q=全日制",  # the demo's extra institutions (5+ rows)
        "/admin/inspections/inspection/?q=371103-2026-P",  # their filing numbers' prefix
        "/admin/inspections/inspection/?kind__exact=routine&visited_on__gte=2026-01-01",
        "/admin/inspections/finding/?q=全日制",
        "/admin/inspections/finding/?status__exact=open&severity__exact=major",
    ]
    superuser = User.objects.create_superuser("perf_admin", "perf@example.cn", "x")
    for user in (superuser, User.objects.get(username="inspector")):  # unscoped, then scoped
        client = Client()
        client.force_login(user)
        for url in urls:
            model_admin = admin.site._registry[Inspection if "/inspection/" in url else Finding]
            counts = {}
            for per_page in (1, 50):
                monkeypatch.setattr(model_admin, "list_per_page", per_page)
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                counts[per_page] = (
                    len(ctx.captured_queries),
                    len(response.context["cl"].result_list),
                )
            (one, _), (fifty, rows) = counts[1], counts[50]
            assert rows >= 2, (user.username, url)
            assert fifty == one, (user.username, url, one, fifty)
