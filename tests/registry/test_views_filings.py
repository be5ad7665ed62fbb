"""Each filing page renders for its role; outsiders get 404; forms call the services."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from registry.models import Filing
from tests import factories
from tests.factories import accepted_filing, approved_registration, draft_filing, submitted_filing


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_starts_a_filing_from_an_approved_registration(operator, institution) -> None:
    registration = approved_registration(institution)
    client = _client(operator)
    page = client.get(reverse("filing-start"))
    assert page.status_code == 200
    assert registration.name in page.content.decode()
    response = client.post(reverse("filing-start"), {"registration": registration.pk})
    filing = Filing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("filing-edit", kwargs={"pk": filing.pk})


def test_it_autosaves_the_wizard_and_keeps_partial_data(operator, institution) -> None:
    filing = draft_filing(operator, institution, documents=False)
    client = _client(operator)
    page = client.get(reverse("filing-edit", kwargs={"pk": filing.pk}))
    assert page.status_code == 200
    for title in ("基本信息", "班级", "人员", "场地", "膳食与收费", "材料上传", "承诺书"):
        assert title in page.content.decode()
    response = client.post(
        reverse("filing-edit", kwargs={"pk": filing.pk}),
        {
            "form": "draft",
            "person_in_charge_name": "李四",
            "places": "12",
            "meals": "none",
            "classes-TOTAL_FORMS": "1",
            "classes-INITIAL_FORMS": "0",
            "classes-MIN_NUM_FORMS": "0",
            "classes-MAX_NUM_FORMS": "50",
            "classes-0-class_type": "infant",
            "classes-0-children": "6",
            "classes-0-carers": "2",
        },
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.person_in_charge_name == "李四"
    assert filing.places == 12
    assert [c.class_type for c in filing.classes.all()] == ["infant"]
    # The stored ID number survives a save that left the field blank.
    assert filing.person_in_charge_id_masked


def test_it_shows_the_readiness_checklist_and_submits(operator, institution) -> None:
    filing = draft_filing(operator, institution, documents=False)
    client = _client(operator)
    page = client.get(reverse("filing-readiness", kwargs={"pk": filing.pk})).content.decode()
    assert "卫生健康部门指定" in page  # the issuer of the health evaluation report
    assert "✓" in page
    refused = client.post(reverse("filing-readiness", kwargs={"pk": filing.pk}))
    assert refused.status_code == 200
    assert "documents_missing" in refused.content.decode()
    filing.refresh_from_db()
    assert filing.status == "draft"


def test_it_submits_a_ready_filing_from_the_readiness_page(operator, institution) -> None:
    filing = draft_filing(operator, institution)
    response = _client(operator).post(reverse("filing-readiness", kwargs={"pk": filing.pk}))
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == "submitted"
    detail = _client(operator).get(reverse("filing-detail", kwargs={"pk": filing.pk}))
    assert "剩余" in detail.content.decode()


def test_it_shows_the_reviewer_queue_with_clocks(operator, institution, county_reviewer) -> None:
    filing = submitted_filing(operator, institution)
    page = _client(county_reviewer).get(reverse("reviewer-queue"))
    assert page.status_code == 200
    assert filing.institution.name in page.content.decode()


def test_it_marks_overdue_filings_red(operator, institution, county_reviewer) -> None:
    filing = submitted_filing(operator, institution)
    Filing.objects.filter(pk=filing.pk).update(
        receipt_due="2020-01-02", conformity_due="2020-01-20"
    )
    page = _client(county_reviewer).get(reverse("reviewer-queue")).content.decode()
    assert 'class="overdue"' in page


def test_it_lets_the_reviewer_request_a_supplement_accept_and_decide(
    operator, institution, county_reviewer
) -> None:
    filing = submitted_filing(operator, institution)
    client = _client(county_reviewer)
    url = reverse("reviewer-filing", kwargs={"pk": filing.pk})
    assert client.get(url).status_code == 200
    client.post(
        url, {"action": "request-supplement", "item_fire_safety": "on", "note_fire_safety": "过期"}
    )
    filing.refresh_from_db()
    assert filing.status == "supplement_requested"
    operator_page = _client(operator).get(reverse("filing-edit", kwargs={"pk": filing.pk}))
    assert "过期" in operator_page.content.decode()

    other = accepted_filing(
        operator, factories.InstitutionFactory(region_id="371103", owner=operator), county_reviewer
    )
    url = reverse("reviewer-filing", kwargs={"pk": other.pk})
    client.post(url, {"action": "nonconforming", "reasons": "室外场地不足\n消防通道堵塞"})
    other.refresh_from_db()
    assert other.nonconformity_reasons == ["室外场地不足", "消防通道堵塞"]
    client.post(url, {"action": "conforming"})
    other.refresh_from_db()
    assert other.status == "filed"


def test_it_accepts_from_the_reviewer_page(operator, institution, county_reviewer) -> None:
    filing = submitted_filing(operator, institution)
    _client(county_reviewer).post(
        reverse("reviewer-filing", kwargs={"pk": filing.pk}), {"action": "accept"}
    )
    filing.refresh_from_db()
    assert filing.status == "filed" and filing.filing_number


def test_it_hides_pages_from_other_counties_and_operators(
    operator, institution, other_county_reviewer, other_operator, county_reviewer
) -> None:
    filing = submitted_filing(operator, institution)
    assert (
        _client(other_county_reviewer)
        .get(reverse("reviewer-filing", kwargs={"pk": filing.pk}))
        .status_code
        == 404
    )
    assert (
        _client(other_operator).get(reverse("filing-detail", kwargs={"pk": filing.pk})).status_code
        == 404
    )
    assert _client(operator).get(reverse("reviewer-queue")).status_code == 403
    assert _client(county_reviewer).get(reverse("filing-start")).status_code == 403


def test_the_lease_end_is_rendered_iso_so_the_date_input_shows_it(operator, institution) -> None:
    """A date input shows only YYYY-MM-DD; the Chinese locale's 2030/06/30 rendered as empty,
    so every re-save of the page cleared the lease end (and readiness then blocked)."""
    import datetime

    filing = draft_filing(operator, institution, documents=False)
    Filing.objects.filter(pk=filing.pk).update(lease_end=datetime.date(2030, 6, 30))
    page = _client(operator).get(reverse("filing-edit", kwargs={"pk": filing.pk}))
    html = page.content.decode()
    assert 'type="date" name="lease_end" value="2030-06-30"' in html
    assert "2030/06/30" not in html
