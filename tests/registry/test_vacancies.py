"""Free places on the public register (api.md 1.1 "Vacancies")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from registry.models import FacilityVacancy, Filing, FilingStatus, Institution
from registry.services.vacancies import remind_stale_vacancies
from tests.conftest import client_for
from tests.factories import FiledFilingFactory, InstitutionFactory
from tuoyu_portal.regions.models import RegionRule

PUBLIC = "/api/v1/public/facilities/"


@pytest.fixture
def filing(institution: Institution) -> Filing:
    return FiledFilingFactory(
        institution=institution
    )  # two older_toddler classes of 15: 30 filed places


def _post(user, filing, vacancies):
    return client_for(user).post(
        f"/api/v1/filings/{filing.pk}/vacancies/", {"vacancies": vacancies}, format="json"
    )


def test_it_publishes_free_places_shown_on_the_public_register(operator, filing) -> None:
    response = _post(operator, filing, [{"class_type": "older_toddler", "free_places": 4}])
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["vacancies"] == [{"class_type": "older_toddler", "free_places": 4}]
    assert body["vacancies_updated_on"] == timezone.localdate().isoformat()
    [row] = Client().get(PUBLIC).json()["results"]
    assert row["vacancies"] == [{"class_type": "older_toddler", "free_places": 4}]
    assert row["vacancies_updated_on"] == timezone.localdate().isoformat()
    assert row["vacancies_stale"] is False


def test_it_refuses_free_places_above_the_filed_places_of_the_class_type(operator, filing) -> None:
    response = _post(
        operator,
        filing,
        [
            {"class_type": "older_toddler", "free_places": 31},
            {"class_type": "infant", "free_places": 1},  # no infant class filed
        ],
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["code"] for e in errors] == ["vacancies_exceed_places"] * 2
    assert errors[0]["field"] == "vacancies[0].free_places"
    assert not FacilityVacancy.objects.exists()  # nothing half-saved


def test_it_answers_400_not_500_for_bad_input(operator, filing) -> None:
    for payload in (
        {"vacancies": [{"class_type": "older_toddler", "free_places": -1}]},
        {"vacancies": [{"class_type": "nursery", "free_places": 1}]},
        {"vacancies": "many"},
        {},
    ):
        response = client_for(operator).post(
            f"/api/v1/filings/{filing.pk}/vacancies/", payload, format="json"
        )
        assert response.status_code == 400, payload


def test_an_outsider_gets_404_and_a_draft_filing_is_refused(
    operator, other_operator, filing
) -> None:
    assert (
        _post(other_operator, filing, [{"class_type": "older_toddler", "free_places": 1}])
    ).status_code == 404
    Filing.objects.filter(pk=filing.pk).update(status=FilingStatus.CLOSING)
    response = _post(operator, filing, [{"class_type": "older_toddler", "free_places": 1}])
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "filing_not_filed"


def test_it_filters_by_has_vacancy(operator, filing) -> None:
    other = FiledFilingFactory(institution=InstitutionFactory(region_id="371103"))
    _post(operator, filing, [{"class_type": "older_toddler", "free_places": 2}])
    numbers = [
        r["filing_number"] for r in Client().get(PUBLIC, {"has_vacancy": "true"}).json()["results"]
    ]
    assert numbers == [filing.filing_number]
    everything = [r["filing_number"] for r in Client().get(PUBLIC).json()["results"]]
    assert set(everything) == {filing.filing_number, other.filing_number}
    # zero free places is not a vacancy
    _post(operator, filing, [{"class_type": "older_toddler", "free_places": 0}])
    assert Client().get(PUBLIC, {"has_vacancy": "true"}).json()["results"] == []


def test_old_figures_are_shown_as_stale_not_hidden(operator, filing) -> None:
    RegionRule.objects.create(
        key="vacancy_stale_days", region_id="371103", value=10, effective_from=date(2020, 1, 1)
    )
    _post(operator, filing, [{"class_type": "older_toddler", "free_places": 2}])
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        [row] = Client().get(PUBLIC, {"has_vacancy": "true"}).json()["results"]
        assert row["vacancies_stale"] is True and row["vacancies"]
        page = Client().get(f"/public/facilities/{filing.filing_number}/").content.decode()
        assert "信息可能已过时" in page


def test_the_operator_page_shows_fee_and_updates(operator, filing) -> None:
    client = Client()
    client.force_login(operator)
    page = client.get(f"/filings/{filing.pk}/vacancies/")
    assert page.status_code == 200
    assert "1500.00" in page.content.decode() and "尚未公布" in page.content.decode()
    refused = client.post(f"/filings/{filing.pk}/vacancies/", {"older_toddler": 99})
    assert refused.status_code == 400 and "超过备案托位" in refused.content.decode()
    done = client.post(f"/filings/{filing.pk}/vacancies/", {"older_toddler": 3}, follow=True)
    assert done.status_code == 200
    assert FacilityVacancy.objects.get(filing=filing).free_places == 3


def test_the_monthly_reminder_asks_once_for_stale_figures(operator, filing) -> None:
    operator.email = "op@example.cn"
    operator.save()
    _post(operator, filing, [{"class_type": "older_toddler", "free_places": 2}])
    assert remind_stale_vacancies() == 0
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        assert remind_stale_vacancies() == 1
        assert remind_stale_vacancies() == 0
    assert mail.outbox[-1].to == ["op@example.cn"]


def test_the_public_list_stays_at_a_constant_number_of_queries(
    db: None, django_assert_num_queries
) -> None:
    from tests.factories import UserFactory

    owner = UserFactory(username="op-many", role="operator", region_id="371103")
    for _ in range(5):
        filing = FiledFilingFactory(institution=InstitutionFactory(region_id="371103", owner=owner))
        _post(owner, filing, [{"class_type": "older_toddler", "free_places": 1}])
    # The list and one rule lookup for the page's one region, however many rows.
    with django_assert_num_queries(2):
        assert len(Client().get(PUBLIC, {"has_vacancy": "true"}).json()["results"]) == 5


def test_supervisors_see_free_places_by_region_beside_places_per_1000(
    operator, filing, supervisor
) -> None:
    from tuoyu_portal.dashboard.figures import region_figures

    _post(operator, filing, [{"class_type": "older_toddler", "free_places": 6}])
    figures = region_figures("371103")
    assert figures["free_places"] == 6 and "places_per_1000" in figures
    client = Client()
    client.force_login(supervisor)
    page = client.get("/dashboard/", {"region": "370000"})
    assert page.status_code == 200
    assert "空余托位" in page.content.decode()


def test_published_figures_reach_the_cached_public_list_at_once(
    operator, filing, settings, django_capture_on_commit_callbacks
) -> None:
    from django.core.cache import cache

    settings.PUBLIC_CACHE_SECONDS = 60
    cache.clear()
    assert Client().get(PUBLIC).json()["results"][0]["vacancies"] == []  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        _post(operator, filing, [{"class_type": "older_toddler", "free_places": 5}])
    [row] = Client().get(PUBLIC).json()["results"]
    assert row["vacancies"] == [{"class_type": "older_toddler", "free_places": 5}]
