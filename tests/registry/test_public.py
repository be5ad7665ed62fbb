"""The public register: what is listed, filters, indexed Chinese name search, no personal data."""

from __future__ import annotations

import random
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registry.models import Filing, FilingStatus, Institution, Registration
from registry.selectors.public import public_filings, search_filings
from registry.services.staff import add_staff_member
from tests.conftest import client_for
from tests.factories import (
    PERSON_IN_CHARGE_ID,
    VALID_ID_NUMBER,
    ClosingFilingFactory,
    DeregisteredFilingFactory,
    FiledFilingFactory,
    FilingFactory,
    InstitutionFactory,
    NonconformingFilingFactory,
)
from tuoyu_portal.accounts.models import User

PHONE = re.compile(r"1[3-9]\d{9}")
LIST = "/api/v1/public/facilities/"


def numbers(response: object) -> list[str]:
    return [r["filing_number"] for r in response.json()["results"]]  # type: ignore[attr-defined]


@pytest.fixture
def filing(institution: Institution) -> Filing:
    return FiledFilingFactory(institution=institution)


def test_it_lists_filed_nonconforming_and_closing_only(db: None) -> None:
    shown = [
        FiledFilingFactory(),
        NonconformingFilingFactory(),
        ClosingFilingFactory(),
    ]
    FilingFactory()
    DeregisteredFilingFactory()
    response = client_for(None).get(LIST)
    assert response.status_code == 200
    assert sorted(numbers(response)) == sorted(f.filing_number for f in shown)
    row = next(r for r in response.json()["results"] if r["status"] == "nonconforming")
    assert row["nonconformity_reasons"] == ["室外活动场地面积不足"]
    assert set(response.json()["results"][0]) == {
        "vacancies",
        "vacancies_updated_on",
        "vacancies_stale",
        "filing_number",
        "name",
        "region",
        "region_name",
        "address",
        "care_modes",
        "places",
        "inclusive",
        "monthly_fee",
        "status",
        "latest_inspection",
        "nonconformity_reasons",
        "suspended",
    }


def test_it_never_leaks_personal_data(
    operator: User, filing: Filing, county_reviewer: User
) -> None:
    import io

    from registry.demo import staff as demo_staff

    demo_staff.seed(io.StringIO())  # the demo roster (张丽 …) and the demo ban
    add_staff_member(
        filing.institution,
        actor=operator,
        data={"name": "陈静", "id_number": "110101199506060018", "role": "cook"},
    )
    registration = Registration.objects.get(pk=filing.registration_id)
    secrets = [
        *(id_number for _name, id_number, _role, _days in demo_staff.DEMO_STAFF),
        *(name for name, _id, _role, _days in demo_staff.DEMO_STAFF),
        *demo_staff.DEMO_BANNED,
        "110101199506060018",
        "陈静",
        VALID_ID_NUMBER,
        PERSON_IN_CHARGE_ID,
        registration.legal_representative_name,
        registration.contact_phone,
        filing.person_in_charge_name,
        filing.person_in_charge_id_masked,
    ]
    anonymous = Client()
    bodies = [
        client_for(None).get(LIST).content,
        client_for(None).get(LIST, {"q": "阳光"}).content,
        client_for(None).get(f"/api/v1/public/filings/{filing.filing_number}/").content,
        anonymous.get(reverse("public-search")).content,
        anonymous.get(reverse("public-search"), {"q": "阳光"}).content,
        anonymous.get(reverse("public-facility", args=[filing.filing_number])).content,
        anonymous.get(reverse("verify", args=[filing.filing_number])).content,
    ]
    for body in bodies:
        text = body.decode()
        assert filing.filing_number in text or "查询" in text
        for secret in secrets:
            assert secret not in text
        assert not PHONE.search(text)


def test_it_includes_sub_regions_in_the_region_filter(
    filing: Filing, other_institution: Institution
) -> None:
    other = FiledFilingFactory(institution=other_institution)
    assert numbers(client_for(None).get(LIST, {"region": "370000"})) == [filing.filing_number]
    assert numbers(client_for(None).get(LIST, {"region": "371100"})) == [filing.filing_number]
    assert numbers(client_for(None).get(LIST, {"region": "371103"})) == [filing.filing_number]
    assert numbers(client_for(None).get(LIST, {"region": "140000"})) == [other.filing_number]


def test_it_filters_by_care_mode_and_inclusive(db: None) -> None:
    full = FiledFilingFactory(care_modes=["full_day"], inclusive=True)
    hourly = FiledFilingFactory(care_modes=["hourly", "temporary"], inclusive=False)
    assert numbers(client_for(None).get(LIST, {"care_mode": "hourly"})) == [hourly.filing_number]
    assert numbers(client_for(None).get(LIST, {"inclusive": "true"})) == [full.filing_number]
    assert numbers(client_for(None).get(LIST, {"inclusive": "false"})) == [hourly.filing_number]


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("阳光", True),  # 2 characters in the middle of the name
        ("光全", True),  # across a word boundary a person would not see
        ("阳", True),  # 1 character
        ("全日制托", True),  # 3+ characters
        ("山阳", False),  # bigrams of the name, but not adjacent
        ("月亮", False),
    ],
)
def test_it_matches_any_chinese_substring_of_the_name(
    filing: Filing, term: str, found: bool
) -> None:
    # The fixture's name is 岚山区阳光全日制托育有限公司.
    result = numbers(client_for(None).get(LIST, {"q": term}))
    assert result == ([filing.filing_number] if found else [])


def test_it_shows_the_district_only_for_home_based_points(db: None) -> None:
    home = FiledFilingFactory(
        institution=InstitutionFactory(home_based=True, address="岚山区某小区3号楼2单元101")
    )
    row = client_for(None).get(LIST).json()["results"][0]
    assert row["filing_number"] == home.filing_number
    assert "101" not in row["address"]
    assert row["address"] == row["region_name"]
    page = Client().get(reverse("public-facility", args=[home.filing_number])).content.decode()
    assert "3号楼" not in page


def test_it_drops_deregistered_filings_and_verify_says_invalid(
    filing: Filing, county_reviewer: User
) -> None:
    from registry.services.changes import deregister_filing

    number = filing.filing_number
    assert client_for(None).get(f"/api/v1/public/filings/{number}/").json()["valid"] is True
    assert "真实有效" in Client().get(reverse("verify", args=[number])).content.decode()
    deregister_filing(
        filing, actor=county_reviewer, reason="停止服务", legal_basis="托育机构登记和备案办法"
    )
    assert numbers(client_for(None).get(LIST)) == []
    detail = client_for(None).get(f"/api/v1/public/filings/{number}/").json()
    assert detail["valid"] is False and detail["status"] == "deregistered"
    page = Client().get(reverse("verify", args=[number]))
    assert page.status_code == 200 and "目前无效" in page.content.decode()
    assert Client().get(reverse("public-facility", args=[number])).status_code == 404


def test_it_answers_404_for_unknown_numbers(db: None) -> None:
    assert client_for(None).get("/api/v1/public/filings/NOPE-1/").status_code == 404
    assert Client().get(reverse("verify", args=["NOPE-1"])).status_code == 404
    assert Client().get(reverse("public-facility", args=["NOPE-1"])).status_code == 404


def test_it_renders_the_search_page_with_filters(filing: Filing) -> None:
    response = Client().get(reverse("public-search"), {"region": "370000", "q": "阳光"})
    assert response.status_code == 200
    assert filing.institution.name in response.content.decode()
    bad = Client().get(reverse("public-search"), {"region": "37"})
    assert "6位行政区划代码" in bad.content.decode()


def test_it_skips_unknown_section_modules_but_raises_other_errors(
    filing: Filing, settings: object
) -> None:
    settings.PUBLIC_FACILITY_SECTIONS = ["not_installed_app.public.sections"]  # type: ignore[attr-defined]
    url = reverse("public-facility", args=[filing.filing_number])
    assert Client().get(url).status_code == 200
    settings.PUBLIC_FACILITY_SECTIONS = ["tests.registry.test_public.broken_sections"]  # type: ignore[attr-defined]
    with pytest.raises(ZeroDivisionError):
        Client().get(url)


def broken_sections(filing: Filing) -> list[dict[str, object]]:
    return [{"title": "x", "template": "x", "context": 1 // 0}]


def test_it_lists_in_a_constant_number_of_queries(
    db: None, django_assert_num_queries: object
) -> None:
    for _ in range(5):
        FiledFilingFactory()
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert len(client_for(None).get(LIST).json()["results"]) == 5


def test_it_paginates_with_a_cursor(db: None) -> None:
    for _ in range(3):
        FiledFilingFactory()
    first = client_for(None).get(LIST, {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = client_for(None).get(first["next"]).json()
    assert len(second["results"]) == 1


CHARS = "阳光春苗彩虹星星月亮小树贝贝童乐宝福安康和美欣悦启明天使蓝天向日葵花园爱心智慧成长"


def test_it_uses_the_gram_index_for_1_2_and_3_character_terms(db: None) -> None:
    """A few thousand realistic rows, fresh statistics: the planner must pick the GIN index."""
    rng = random.Random(7)
    institutions = Institution.objects.bulk_create(
        Institution(
            name="".join(rng.choice(CHARS) for _ in range(4)) + "托育有限公司",
            region_id="371103",
        )
        for _ in range(4000)
    )
    template = FiledFilingFactory()
    registration = template.registration
    Filing.objects.bulk_create(
        Filing(
            institution=inst,
            registration=registration,
            region_id="371103",
            status=FilingStatus.FILED,
            filing_number=f"T{inst.pk}",
            filed_on=timezone.localdate(),
            places=10,
            care_modes=["full_day"],
        )
        for inst in institutions
    )
    Institution.objects.filter(pk=institutions[5].pk).update(name="岚山区葵花籽全日制托育中心")
    with connection.cursor() as cursor:
        # Autovacuum folds the GIN index's pending list into the index in production; here the
        # rows inserted (and rolled back) by earlier tests of the session still sit in it and
        # make the planner price the index as if it were cold and huge.
        cursor.execute("SELECT gin_clean_pending_list('institution_name_grams_gin'::regclass)")
        cursor.execute("ANALYZE registry_institution; ANALYZE registry_filing;")
        # The plan for the term itself: the same EXPLAIN run on this connection by earlier tests
        # is a prepared statement by now, and PostgreSQL may answer it with a generic plan.
        cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
    for term in ("籽", "花籽", "葵花籽全"):
        queryset = search_filings(public_filings(), q=term)
        plan = queryset.explain()
        assert "institution_name_grams_gin" in plan, (term, plan)
        assert [f.institution.name for f in queryset] == ["岚山区葵花籽全日制托育中心"]


def test_it_documents_every_public_staff_and_change_endpoint_in_the_schema(client: Client) -> None:
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/public/facilities/",
        "/api/v1/public/filings/{filing_number}/",
        "/api/v1/filings/{id}/staff/",
        "/api/v1/filings/{id}/changes/",
        "/api/v1/filings/{id}/deregister/",
        "/api/v1/filing-changes/{id}/accept/",
        "/api/v1/bans/",
    ):
        assert path in schema


def _walk(client: Client, url: str) -> list[str]:
    """Every filing number of a search, following `next` to the end."""
    found: list[str] = []
    while url:
        body = client.get(url).json()
        found += [r["filing_number"] for r in body["results"]]
        url = body["next"]
    return found


def test_the_newest_first_window_answers_exactly_what_the_gram_index_answers(
    db: None, settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frequent, medium, rare and absent terms; small windows so every branch runs: the probe
    (found in the window), the widened probe, and the fallback to the gram index."""
    settings.PUBLIC_SEARCH_WINDOW = 20  # type: ignore[attr-defined]
    settings.PUBLIC_SEARCH_WINDOW_MAX = 90  # type: ignore[attr-defined]
    rng = random.Random(11)
    names = []
    for n in range(300):
        word = "阳光" if n % 3 == 0 else ("彩虹" if n % 29 == 0 else rng.choice(["童乐", "启明"]))
        names.append(f"{word}{n % 7}号托育_中心%{n}")
    institutions = Institution.objects.bulk_create(
        Institution(name=name, region_id="371103" if n % 2 else "371102", home_based=False)
        for n, name in enumerate(names)
    )
    template = FiledFilingFactory()
    Filing.objects.bulk_create(
        Filing(
            institution=inst,
            registration=template.registration,
            region_id=inst.region_id,
            status=FilingStatus.FILED,
            filing_number=f"W{inst.pk}",
            filed_on=timezone.localdate(),
            places=10,
            care_modes=["full_day", "hourly"] if n % 4 == 0 else ["full_day"],
            inclusive=n % 5 == 0,
        )
        for n, inst in enumerate(institutions)
    )
    import registry.selectors.public as public_module

    probes: list[tuple[int, int, int]] = []  # (window, limit, found)
    outcomes: list[bool] = []  # did the window answer?
    real_probe, real_matches = public_module._probe, public_module.newest_name_matches

    def spy_probe(scope: object, term: str, limit: int, window: int) -> list[int]:
        found = real_probe(scope, term, limit, window)  # type: ignore[arg-type]
        probes.append((window, limit, len(found)))
        return found

    def spy_matches(scope: object, term: str, *, limit: int) -> list[int] | None:
        ids = real_matches(scope, term, limit=limit)  # type: ignore[arg-type]
        outcomes.append(ids is not None)
        return ids

    monkeypatch.setattr(public_module, "_probe", spy_probe)
    monkeypatch.setattr(public_module, "newest_name_matches", spy_matches)
    client = client_for(None)
    cases = [
        {"q": "阳光"},  # every third: the first window has the page
        {"q": "彩虹"},  # rare: fallback to the gram index
        {"q": "阳光", "inclusive": "true"},  # sparser: the widened window
        {"q": "托育_"},  # `_` is a literal, not a LIKE wildcard
        {"q": "%1"},  # so is `%`
        {"q": "鑫鑫"},  # absent
        {"q": "阳", "region": "371103", "care_mode": "hourly"},
    ]
    for params in cases:
        expected = [
            f.filing_number
            for f in search_filings(
                public_filings(),
                q=params["q"],
                region=params.get("region", ""),
                care_mode=params.get("care_mode", ""),
                inclusive=True if params.get("inclusive") else None,
            ).order_by("-id")
        ]
        query = urlencode(params)
        for page_size in (1, 7, 50):
            assert _walk(client, f"{LIST}?{query}&page_size={page_size}") == expected, (
                params,
                page_size,
            )
    assert len(_walk(client, f"{LIST}?{urlencode({'q': '阳光'})}&page_size=50")) == 100
    # Every branch ran: answered by the first window, by the widened one, and by the index.
    assert any(w == 20 and found >= limit for w, limit, found in probes)
    assert any(w > 20 and found >= limit for w, limit, found in probes)
    assert True in outcomes and False in outcomes


def test_a_forged_search_cursor_is_a_404_not_a_500(db: None) -> None:
    import base64

    forged = base64.b64encode(b"p=abc").decode()
    response = client_for(None).get(LIST, {"q": "阳光", "cursor": forged})
    assert response.status_code == 404
