"""Filing workflow through the API and the services: rules, transitions, clocks, history."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from registry.materials import required_kinds
from registry.models import Filing, FilingStatus, FilingTransition, SupplementRequest
from registry.selectors import filings as filing_selectors
from registry.services import filing_documents
from registry.services import filings as svc
from tests import factories
from tests.conftest import client_for
from tests.factories import (
    accepted_filing,
    approved_registration,
    draft_filing,
    good_data,
    pdf,
    submitted_filing,
)
from tuoyu_portal.exceptions import InvalidTransition

BEIJING = ZoneInfo("Asia/Shanghai")


def _codes(response: Any) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in response.json()["errors"]]


def _json(data: dict[str, Any]) -> dict[str, Any]:
    """good_data as JSON-ready values (dates and decimals as strings)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        out[key] = str(value) if isinstance(value, date | Decimal) else value
    return out


# ---------------------------------------------------------------------------------------------
# Creating and autosaving drafts


def test_it_creates_a_draft_for_an_approved_registration(operator, institution) -> None:
    registration = approved_registration(institution)
    response = client_for(operator).post(
        "/api/v1/filings/",
        {"registration": registration.pk, **_json(good_data())},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["classes"][0]["class_type"] == "young_toddler"
    assert body["staff"]["caregivers"] == 5
    assert "person_in_charge_id_number" not in body
    assert body["person_in_charge_id_masked"].endswith("002X")
    assert FilingTransition.objects.filter(filing_id=body["id"], to_status="draft").exists()


def test_it_refuses_a_filing_for_a_registration_not_yet_approved(operator, institution) -> None:
    registration = factories.SubmittedRegistrationFactory(institution=institution)
    response = client_for(operator).post(
        "/api/v1/filings/", {"registration": registration.pk}, format="json"
    )
    assert response.status_code == 400
    assert ("registration_not_approved", "registration") in _codes(response)
    assert not Filing.objects.exists()


def test_it_hides_another_operators_registration(other_operator, institution) -> None:
    registration = approved_registration(institution)
    response = client_for(other_operator).post(
        "/api/v1/filings/", {"registration": registration.pk}, format="json"
    )
    assert response.status_code == 404


def test_it_autosaves_partial_data_and_keeps_it(operator, institution) -> None:
    registration = approved_registration(institution)
    filing = svc.create_filing(actor=operator, registration=registration, data={})
    client = client_for(operator)
    response = client.patch(f"/api/v1/filings/{filing.pk}/", {"places": 12}, format="json")
    assert response.status_code == 200
    response = client.patch(f"/api/v1/filings/{filing.pk}/", {"children_floor": 2}, format="json")
    filing.refresh_from_db()
    assert (filing.places, filing.children_floor) == (12, 2)
    assert response.json()["readiness"]["ready"] is False


def test_it_refuses_a_bad_patch_and_changes_nothing(operator, institution) -> None:
    filing = draft_filing(operator, institution, documents=False)
    response = client_for(operator).patch(
        f"/api/v1/filings/{filing.pk}/",
        {"places": 99, "person_in_charge_id_number": "110105194912310021"},
        format="json",
    )
    assert response.status_code == 400
    assert ("id_number_invalid", "person_in_charge_id_number") in _codes(response)
    filing.refresh_from_db()
    assert filing.places == 25


def test_it_refuses_patch_once_submitted(operator, institution) -> None:
    filing = submitted_filing(operator, institution)
    response = client_for(operator).patch(
        f"/api/v1/filings/{filing.pk}/", {"places": 30}, format="json"
    )
    assert response.status_code == 409
    assert _codes(response) == [("invalid_transition", None)]


# ---------------------------------------------------------------------------------------------
# Submission: every rule code fails and passes


def test_it_lists_every_missing_material_at_once(operator, institution) -> None:
    filing = draft_filing(operator, institution, documents=False, commitment_accepted=False)
    response = client_for(operator).post(f"/api/v1/filings/{filing.pk}/submit/")
    assert response.status_code == 400
    codes = _codes(response)
    for kind in ("license", "site_proof", "staff_credentials", "health_evaluation", "fire_safety"):
        assert ("documents_missing", kind) in codes
    assert ("commitment_required", "commitment_accepted") in codes
    assert not any(code == "food_license_required" for code, _ in codes)
    filing.refresh_from_db()
    assert filing.status == "draft"


def test_it_requires_a_food_license_when_meals_are_cooked_on_site(operator, institution) -> None:
    filing = draft_filing(operator, institution, meals="on_site", skip=("food_license",))
    response = client_for(operator).post(f"/api/v1/filings/{filing.pk}/submit/")
    assert ("food_license_required", "food_license") in _codes(response)
    filing_documents.add_document(filing, actor=operator, kind="food_license", upload=pdf())
    response = client_for(operator).post(f"/api/v1/filings/{filing.pk}/submit/")
    assert response.status_code == 200, response.json()


def test_it_refuses_submission_when_the_registration_is_no_longer_approved(
    operator, institution
) -> None:
    filing = draft_filing(operator, institution)
    type(filing.registration).objects.filter(pk=filing.registration_id).update(status="cancelled")
    response = client_for(operator).post(f"/api/v1/filings/{filing.pk}/submit/")
    assert ("registration_not_approved", "registration") in _codes(response)


BROKEN: dict[str, dict[str, Any]] = {
    "class_over_size": {
        "places": 26,
        "classes": [
            {"class_type": "young_toddler", "children": 16, "carers": 4},
            {"class_type": "older_toddler", "children": 10, "carers": 2},
        ],
    },
    "carer_ratio_below_standard": {
        "classes": [
            {"class_type": "young_toddler", "children": 10, "carers": 1},
            {"class_type": "older_toddler", "children": 15, "carers": 3},
        ]
    },
    "mixed_class_under_18_months": {
        "places": 10,
        "classes": [{"class_type": "mixed", "children": 10, "carers": 2, "min_age_months": 15}],
    },
    "places_mismatch": {"places": 40},
    "children_floor_too_high": {"children_floor": 4},
    "underground_children_rooms": {"children_floor": -1},
    "lease_too_short": {"lease_end": date.today() + timedelta(days=365)},
    "indoor_area_too_small": {"indoor_area_m2": Decimal("50")},
    "outdoor_area_too_small": {"outdoor_area_m2": Decimal("20")},
    "commitment_required": {"commitment_accepted": False},
}


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_it_refuses_submission_naming_the_broken_rule(code: str, operator, institution) -> None:
    filing = draft_filing(operator, institution, **BROKEN[code])
    response = client_for(operator).post(f"/api/v1/filings/{filing.pk}/submit/")
    assert response.status_code == 400
    codes = [c for c, _ in _codes(response)]
    assert code in codes
    assert all(e["message"] for e in response.json()["errors"])
    # The readiness check names it too, with a plain explanation.
    problems = {p["rule"]: p for p in filing_selectors.readiness(filing).problems}
    assert problems[code]["explanation"]


def test_it_accepts_a_conforming_submission(operator, institution) -> None:
    filing = draft_filing(operator, institution)
    readiness = filing_selectors.readiness(filing)
    assert readiness.ready
    assert {r["rule"] for r in readiness.satisfied_rules} >= set(BROKEN)
    response = client_for(operator).post(f"/api/v1/filings/{filing.pk}/submit/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert all(d["locked"] for d in body["documents"])
    assert body["receipt_due"] and body["conformity_due"]


def test_it_reports_every_broken_rule_at_once(operator, institution) -> None:
    filing = draft_filing(
        operator,
        institution,
        documents=False,
        children_floor=-1,
        outdoor_area_m2=Decimal("1"),
        commitment_accepted=False,
    )
    codes = {
        c for c, _ in _codes(client_for(operator).post(f"/api/v1/filings/{filing.pk}/submit/"))
    }
    assert {
        "documents_missing",
        "underground_children_rooms",
        "outdoor_area_too_small",
        "commitment_required",
    } <= codes


def test_it_shows_missing_materials_with_their_issuer(operator, institution) -> None:
    filing = draft_filing(operator, institution, documents=False, meals="on_site")
    missing = {m["kind"]: m for m in filing_selectors.readiness(filing).missing_materials}
    assert set(missing) == set(required_kinds("on_site"))
    assert "卫生健康" in missing["health_evaluation"]["issuer"]
    assert missing["food_license"]["rule"] == "food_license_required"


# ---------------------------------------------------------------------------------------------
# Clocks on the Chinese working-day calendar


def test_it_runs_the_clocks_across_the_spring_festival(operator, institution) -> None:
    filing = draft_filing(operator, institution, lease_end=date(2030, 1, 1))
    with time_machine.travel(datetime(2026, 2, 13, 16, 0, tzinfo=BEIJING), tick=False):
        filing = svc.submit_filing(filing, actor=operator)
    assert filing.receipt_due == date(2026, 2, 27)
    assert filing.conformity_due == date(2026, 3, 12)
    assert filing.clocks_provisional is False
    clocks = filing_selectors.clocks(filing, today=date(2026, 2, 24))
    assert clocks["receipt_days_left"] == 3
    assert clocks["receipt_overdue"] is False
    late = filing_selectors.clocks(filing, today=date(2026, 3, 2))
    assert late["receipt_overdue"] is True
    assert late["receipt_days_left"] < 0


def test_it_counts_from_the_beijing_date_of_receipt(operator, institution) -> None:
    filing = draft_filing(operator, institution, lease_end=date(2030, 1, 1))
    # 2026-02-12 23:30 Beijing is still the 12th there (15:30 UTC).
    with time_machine.travel(datetime(2026, 2, 12, 23, 30, tzinfo=BEIJING), tick=False):
        filing = svc.submit_filing(filing, actor=operator)
    assert filing.receipt_due == date(2026, 2, 26)


def test_it_flags_clocks_in_years_without_holiday_data_as_provisional(
    operator, institution
) -> None:
    filing = draft_filing(operator, institution, lease_end=date(2035, 1, 1))
    with time_machine.travel(datetime(2031, 12, 24, 10, 0, tzinfo=BEIJING), tick=False):
        filing = svc.submit_filing(filing, actor=operator)
    assert filing.clocks_provisional is True


# ---------------------------------------------------------------------------------------------
# Review actions


def test_it_requests_a_supplement_with_an_itemised_list(
    operator, institution, county_reviewer
) -> None:
    filing = submitted_filing(operator, institution)
    response = client_for(county_reviewer).post(
        f"/api/v1/filings/{filing.pk}/request-supplement/",
        {
            "items": [
                {"item": "fire_safety", "note": "证明已过期"},
                {"item": "outdoor_area_m2", "note": "请核实室外面积"},
            ],
            "note": "请一次性补正",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "supplement_requested"
    assert [i["item"] for i in body["supplement_request"]["items"]] == [
        "fire_safety",
        "outdoor_area_m2",
    ]
    # The operator sees the same request.
    seen = client_for(operator).get(f"/api/v1/filings/{filing.pk}/").json()
    assert seen["supplement_request"]["note"] == "请一次性补正"


def test_it_refuses_unknown_supplement_items_and_changes_nothing(
    operator, institution, county_reviewer
) -> None:
    filing = submitted_filing(operator, institution)
    response = client_for(county_reviewer).post(
        f"/api/v1/filings/{filing.pk}/request-supplement/",
        {"items": [{"item": "fire_safety"}, {"item": "colour_of_door"}]},
        format="json",
    )
    assert response.status_code == 400
    assert ("supplement_item_invalid", "items[1].item") in _codes(response)
    filing.refresh_from_db()
    assert filing.status == "submitted"
    assert not SupplementRequest.objects.exists()


def test_it_resubmits_after_a_supplement_and_recomputes_the_clocks(
    operator, institution, county_reviewer
) -> None:
    with time_machine.travel(datetime(2026, 2, 13, 10, 0, tzinfo=BEIJING), tick=False):
        filing = submitted_filing(operator, institution, lease_end=date(2030, 1, 1))
    svc.request_supplement(
        filing, actor=county_reviewer, items=[{"item": "fire_safety", "note": ""}]
    )
    filing_documents.add_document(filing, actor=operator, kind="fire_safety", upload=pdf("new.pdf"))
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING), tick=False):
        filing = svc.submit_filing(filing, actor=operator)
    assert filing.receipt_due == date(2026, 3, 9)
    assert SupplementRequest.objects.get().resolved_at is not None
    current = filing.documents.filter(kind="fire_safety", superseded_by__isnull=True)
    assert [d.original_name for d in current] == ["new.pdf"]
    assert filing.documents.filter(kind="fire_safety").count() == 2


def test_it_accepts_and_numbers_the_filing(operator, institution, county_reviewer) -> None:
    filing = submitted_filing(operator, institution)
    response = client_for(county_reviewer).post(f"/api/v1/filings/{filing.pk}/accept/")
    assert response.status_code == 200
    body = response.json()
    year = date.today().year
    assert body["status"] == "filed"
    assert body["filing_number"] == f"371103-{year}-00001"
    transition = FilingTransition.objects.get(filing=filing, to_status="filed")
    assert transition.actor == county_reviewer
    assert transition.details["filing_number"] == body["filing_number"]


def test_it_refuses_accept_by_the_operator(operator, institution) -> None:
    filing = submitted_filing(operator, institution)
    response = client_for(operator).post(f"/api/v1/filings/{filing.pk}/accept/")
    assert response.status_code == 403


def test_it_hides_filings_from_another_county(
    operator, institution, other_county_reviewer, other_operator
) -> None:
    filing = submitted_filing(operator, institution)
    for user in (other_county_reviewer, other_operator):
        client = client_for(user)
        assert client.get(f"/api/v1/filings/{filing.pk}/").status_code == 404
        assert client.post(f"/api/v1/filings/{filing.pk}/accept/").status_code == 404
        assert client.get("/api/v1/filings/").json()["results"] == []


def test_it_publishes_nonconformity_reasons_and_reverts(
    operator, institution, county_reviewer
) -> None:
    filing = accepted_filing(operator, institution, county_reviewer)
    client = client_for(county_reviewer)
    refused = client.post(
        f"/api/v1/filings/{filing.pk}/nonconforming/", {"reasons": []}, format="json"
    )
    assert refused.status_code == 400
    response = client.post(
        f"/api/v1/filings/{filing.pk}/nonconforming/",
        {"reasons": ["室外活动场地不足"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["nonconformity_reasons"] == ["室外活动场地不足"]
    response = client.post(f"/api/v1/filings/{filing.pk}/conforming/", {}, format="json")
    assert response.json()["status"] == "filed"
    assert response.json()["nonconformity_reasons"] == []
    history = [t.to_status for t in filing.transitions.all()]
    assert history == ["draft", "submitted", "filed", "nonconforming", "filed"]


def test_it_lists_the_reviewer_queue_oldest_first(county_reviewer, operator, institution) -> None:
    first = submitted_filing(operator, institution)
    second_institution = factories.InstitutionFactory(region_id="371103", owner=operator)
    with time_machine.travel(datetime(2026, 1, 5, 9, 0, tzinfo=BEIJING), tick=False):
        older = submitted_filing(operator, second_institution)
    response = client_for(county_reviewer).get("/api/v1/filings/?status=submitted")
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [older.pk, first.pk]
    newest_first = client_for(county_reviewer).get("/api/v1/filings/").json()["results"]
    # Other lists are newest first (by id): `older` was created last.
    assert [row["id"] for row in newest_first] == [older.pk, first.pk]


# ---------------------------------------------------------------------------------------------
# Every transition pair, allowed or refused


ACTIONS = {
    "submit": (FilingStatus.SUBMITTED, (FilingStatus.DRAFT, FilingStatus.SUPPLEMENT_REQUESTED)),
    "request_supplement": (FilingStatus.SUPPLEMENT_REQUESTED, (FilingStatus.SUBMITTED,)),
    "accept": (FilingStatus.FILED, (FilingStatus.SUBMITTED,)),
    "nonconforming": (FilingStatus.NONCONFORMING, (FilingStatus.FILED,)),
    "conforming": (FilingStatus.FILED, (FilingStatus.NONCONFORMING,)),
}


def _run(action: str, filing: Filing, operator: Any, reviewer: Any) -> Filing:
    if action == "submit":
        return svc.submit_filing(filing, actor=operator)
    if action == "request_supplement":
        return svc.request_supplement(filing, actor=reviewer, items=[{"item": "license"}])
    if action == "accept":
        return svc.accept_filing(filing, actor=reviewer)
    if action == "nonconforming":
        return svc.mark_nonconforming(filing, actor=reviewer, reasons=["原因"])
    return svc.mark_conforming(filing, actor=reviewer)


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("source", FilingStatus.values)
def test_it_allows_exactly_the_table_transitions(
    action: str, source: str, operator, institution, county_reviewer
) -> None:
    target, sources = ACTIONS[action]
    allowed = source in sources
    # Every allowed action is a pair of the model's TRANSITIONS table.
    if allowed:
        assert target in Filing.TRANSITIONS[source]
    filing = draft_filing(operator, institution)
    Filing.objects.filter(pk=filing.pk).update(status=source)
    filing.refresh_from_db()
    before = filing.transitions.count()
    if allowed:
        result = _run(action, filing, operator, county_reviewer)
        assert result.status == target
        last = result.transitions.last()
        assert (last.from_status, last.to_status) == (source, target)
    else:
        with pytest.raises(InvalidTransition):
            _run(action, filing, operator, county_reviewer)
        filing.refresh_from_db()
        assert filing.status == source
        assert filing.transitions.count() == before


def test_it_answers_409_over_the_api_for_a_refused_transition(
    operator, institution, county_reviewer
) -> None:
    filing = draft_filing(operator, institution)
    response = client_for(county_reviewer).post(f"/api/v1/filings/{filing.pk}/accept/")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "invalid_transition"


def test_it_lists_the_queue_in_a_bounded_number_of_queries(
    county_reviewer, operator, django_assert_max_num_queries
) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING), tick=False):
        for _ in range(6):
            submitted_filing(
                operator, factories.InstitutionFactory(region_id="371103", owner=operator)
            )
    client = client_for(county_reviewer)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/filings/?status=submitted")
    assert len(response.json()["results"]) == 6


def test_it_autosaves_an_empty_mode_list_and_requires_modes_at_submit(
    operator, institution
) -> None:
    filing = draft_filing(operator, institution)
    response = client_for(operator).patch(
        f"/api/v1/filings/{filing.pk}/", {"care_modes": []}, format="json"
    )
    assert response.status_code == 200
    response = client_for(operator).post(f"/api/v1/filings/{filing.pk}/submit/")
    assert ("required", "care_modes") in _codes(response)


def test_it_refuses_review_actions_by_operators(operator, institution) -> None:
    filing = submitted_filing(operator, institution)
    response = client_for(operator).post(
        f"/api/v1/filings/{filing.pk}/request-supplement/",
        {"items": [{"item": "license"}]},
        format="json",
    )
    assert response.status_code == 403
    filing.refresh_from_db()
    assert filing.status == "submitted"
