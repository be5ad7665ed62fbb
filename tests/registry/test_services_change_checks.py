"""Change filings go through the filing's rules: standards engine, materials, clocks, queue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registry.models import ChangeStatus, Filing, FilingChange, FilingDocument, Institution
from registry.services import changes as services
from tests.conftest import client_for
from tests.factories import FiledFilingFactory, pdf
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.regions.calendar import working_deadline
from tuoyu_portal.regions.models import RegionRule

SITE_KINDS = ["site_proof", "health_evaluation", "fire_safety"]
BIG_CLASS = {
    "places": 30,
    "classes": [{"class_type": "older_toddler", "children": 30, "carers": 1}],
}


@pytest.fixture
def filing(institution: Institution) -> Filing:
    # One class of 20 on 20 places: the proposals below are measured from it.
    return FiledFilingFactory(institution=institution, places=20, classes=[20])


def _codes(error: DomainError) -> list[str]:
    return sorted(v.code for v in error.violations)


def test_change_filing_runs_standards_engine(filing: Filing, operator: User) -> None:
    """A 托大班 of 30 children with 1 carer is refused with the filing's own rule codes."""
    with pytest.raises(DomainError) as caught:
        services.create_change(filing, actor=operator, proposed=dict(BIG_CLASS), reason="扩班")
    assert _codes(caught.value) == ["carer_ratio_below_standard", "class_over_size"]
    assert not FilingChange.objects.exists()
    response = client_for(operator).post(
        f"/api/v1/filings/{filing.pk}/changes/", {"proposed": BIG_CLASS}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert sorted(e["code"] for e in errors) == ["carer_ratio_below_standard", "class_over_size"]
    assert all(e["field"] == "classes[0]" and "托大班" in e["message"] for e in errors)
    assert not FilingChange.objects.exists()


def test_change_filing_edit_runs_standards_engine(filing: Filing, operator: User) -> None:
    change = services.create_change(filing, actor=operator, proposed={"places": 20})
    with pytest.raises(DomainError) as caught:
        services.update_change(change, actor=operator, proposed=dict(BIG_CLASS))
    assert _codes(caught.value) == ["carer_ratio_below_standard", "class_over_size"]
    assert FilingChange.objects.get(pk=change.pk).proposed == {"places": 20}


def test_change_submission_runs_standards_engine_again(filing: Filing, operator: User) -> None:
    """The county tightened its class size after the change was drafted: submit refuses it."""
    change = services.create_change(
        filing,
        actor=operator,
        proposed={
            "places": 18,
            "classes": [{"class_type": "older_toddler", "children": 18, "carers": 3}],
        },
    )
    RegionRule.objects.create(
        key="class_max_older_toddler",
        region_id=filing.region_id,
        value=15,
        effective_from=timezone.localdate(),
    )
    with pytest.raises(DomainError) as caught:
        services.submit_change(change, actor=operator)
    assert _codes(caught.value) == ["class_over_size"]
    assert FilingChange.objects.get(pk=change.pk).status == ChangeStatus.DRAFT


def test_a_move_of_site_asks_for_the_site_materials(filing: Filing, operator: User) -> None:
    change = services.create_change(filing, actor=operator, proposed={"address": "岚山区新址"})
    assert services.required_change_materials(change) == SITE_KINDS
    with pytest.raises(DomainError) as caught:
        services.submit_change(change, actor=operator)
    assert [(v.code, v.field) for v in caught.value.violations] == [
        ("documents_missing", kind) for kind in SITE_KINDS
    ]
    services.add_change_document(change, actor=operator, kind="site_proof", upload=pdf())
    with pytest.raises(DomainError) as caught:
        services.submit_change(change, actor=operator)
    assert [v.field for v in caught.value.violations] == SITE_KINDS[1:]
    for kind in SITE_KINDS[1:]:
        services.add_change_document(change, actor=operator, kind=kind, upload=pdf())
    assert services.submit_change(change, actor=operator).status == ChangeStatus.SUBMITTED


def test_accepted_site_materials_become_the_filings_materials(
    filing: Filing, operator: User, county_reviewer: User
) -> None:
    old = FilingDocument.objects.create(
        filing=filing,
        kind="site_proof",
        original_name="old.pdf",
        file="filings/x/old.pdf",
        size=1,
        sha256="0" * 64,
        content_type="application/pdf",
        locked=True,
    )
    change = services.create_change(filing, actor=operator, proposed={"address": "岚山区新址"})
    for kind in SITE_KINDS:
        services.add_change_document(
            change, actor=operator, kind=kind, upload=pdf(f"new-{kind}.pdf")
        )
    services.submit_change(change, actor=operator)
    services.accept_change(change, actor=county_reviewer)
    current = FilingDocument.objects.filter(filing=filing, superseded_by__isnull=True)
    assert sorted(current.values_list("kind", "original_name")) == sorted(
        (kind, f"new-{kind}.pdf") for kind in SITE_KINDS
    )
    old.refresh_from_db()
    assert old.superseded_by is not None


def test_a_new_person_in_charge_brings_their_credentials(filing: Filing, operator: User) -> None:
    change = services.create_change(
        filing,
        actor=operator,
        proposed={"person_in_charge_name": "王敏"},
        person_in_charge_id_number="110101199202020025",
    )
    with pytest.raises(DomainError) as caught:
        services.submit_change(change, actor=operator)
    assert [(v.code, v.field) for v in caught.value.violations] == [
        ("documents_missing", "staff_credentials")
    ]
    services.add_change_document(change, actor=operator, kind="staff_credentials", upload=pdf())
    assert services.submit_change(change, actor=operator).status == ChangeStatus.SUBMITTED


def test_change_documents_refuse_a_disguised_file_and_a_submitted_change(
    filing: Filing, operator: User
) -> None:
    change = services.create_change(filing, actor=operator, proposed={"places": 20})
    url = f"/api/v1/filing-changes/{change.pk}/documents/"
    fake = pdf("x.pdf", b"MZ\x90\x00 not a pdf at all")
    response = client_for(operator).post(url, {"kind": "site_proof", "file": fake})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "file_type_not_allowed"
    services.submit_change(change, actor=operator)
    locked = client_for(operator).post(url, {"kind": "site_proof", "file": pdf()})
    assert locked.status_code == 400
    assert locked.json()["errors"][0]["code"] == "document_locked"
    assert not change.documents.exists()


def test_change_review_runs_on_the_filing_clocks_and_queue(
    filing: Filing, operator: User, county_reviewer: User
) -> None:
    change = services.create_change(filing, actor=operator, proposed={"places": 20})
    services.submit_change(change, actor=operator)
    change.refresh_from_db()
    received_on = timezone.localtime(change.received_at).date()
    assert change.receipt_due == working_deadline(received_on, 5, filing.region_id).due
    assert change.conformity_due == working_deadline(received_on, 15, filing.region_id).due
    listing = client_for(county_reviewer).get("/api/v1/filing-changes/", {"status": "submitted"})
    row = listing.json()["results"][0]
    assert row["receipt_due"] == change.receipt_due.isoformat()
    assert row["clocks"]["receipt_running"] is True and row["clocks"]["receipt_overdue"] is False
    # Three weeks later nobody has decided: the queue says it is overdue.
    past = date.today() - timedelta(days=30)
    FilingChange.objects.filter(pk=change.pk).update(
        receipt_due=past, conformity_due=past + timedelta(days=10)
    )
    row = client_for(county_reviewer).get("/api/v1/filing-changes/").json()["results"][0]
    assert row["clocks"]["receipt_overdue"] is True
    assert row["clocks"]["conformity_overdue"] is True
    client = Client()
    client.force_login(county_reviewer)
    page = client.get(reverse("reviewer-queue")).content.decode()
    assert "待审核的变更备案" in page
    section = page.split("待审核的变更备案", 1)[1].split("</table>", 1)[0]
    assert filing.institution.name in section and "已超期" in section


def test_the_change_page_speaks_chinese_not_field_names(filing: Filing, operator: User) -> None:
    change = services.create_change(
        filing,
        actor=operator,
        proposed={"address": "岚山区新址", "care_modes": ["half_day"]},
    )
    client = Client()
    client.force_login(operator)
    html = client.get(reverse("filing-change-detail", args=[change.pk])).content.decode()
    assert "<dt>地址</dt><dd>岚山区新址</dd>" in html
    assert "<dt>托育服务方式</dt><dd>半日托</dd>" in html
    assert "→ 草稿" in html
    assert "address" not in html and "→ draft" not in html and "half_day" not in html
    assert "缺少材料：场地证明" in html
