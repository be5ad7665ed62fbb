"""Closure that means what it says: where the children went, the bureau's legal ground, a
deadline for 注销中, and tenures that end with the filing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registry.models import Filing, FilingStatus, FilingTransition, Institution, StaffMember
from registry.services import changes as services
from registry.services import staff as staff_services
from tests.conftest import client_for
from tests.exchange.helpers import cancel
from tests.exchange.test_inbox import make_filing, receive_approved
from tests.factories import FiledFilingFactory
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.exchange import services as exchange
from tuoyu_portal.regions.models import RegionRule

STAFF_ID = "110101199001010023"
LEGAL_BASIS = "《托育机构登记和备案办法（试行）》第十二条"


@pytest.fixture
def filing(institution: Institution) -> Filing:
    return FiledFilingFactory(institution=institution)


def _url(filing: Filing) -> str:
    return f"/api/v1/filings/{filing.pk}/deregister/"


def test_the_operator_records_where_the_children_went(filing: Filing, operator: User) -> None:
    bad = client_for(operator).post(
        _url(filing),
        {
            "reason": "停止经营",
            "placement_confirmed": True,
            "placements": [{"receiving_institution": "岚山区春苗托育", "children": 0}],
        },
        format="json",
    )
    assert bad.status_code == 400
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.FILED
    placements = [
        {"receiving_institution": "岚山区春苗托育中心", "children": 12},
        {"receiving_institution": "家庭自行照护", "children": 8},
    ]
    done = client_for(operator).post(
        _url(filing),
        {"reason": "停止经营", "placement_confirmed": True, "placements": placements},
        format="json",
    )
    assert done.status_code == 200, done.content
    row = FilingTransition.objects.get(filing=filing, to_status="deregistered")
    assert row.details["placements"] == placements
    assert row.details["children_placed"] == 20


def test_a_placement_row_must_name_the_receiver_and_a_count(filing: Filing, operator: User) -> None:
    with pytest.raises(DomainError) as caught:
        services.deregister_filing(
            filing,
            actor=operator,
            reason="停止经营",
            placement_confirmed=True,
            placements=[{"receiving_institution": " ", "children": 3}, {"children": True}],
        )
    assert [(v.code, v.field) for v in caught.value.violations] == [
        ("placement_invalid", "placements[0]"),
        ("placement_invalid", "placements[1]"),
    ]


def test_the_bureau_deregisters_only_with_its_legal_ground(
    filing: Filing, county_reviewer: User
) -> None:
    with pytest.raises(DomainError) as caught:
        services.deregister_filing(filing, actor=county_reviewer, reason="责令停止服务后仍未整改")
    assert [v.code for v in caught.value.violations] == ["legal_basis_required"]
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.FILED
    services.deregister_filing(
        filing,
        actor=county_reviewer,
        reason="责令停止服务后仍未整改",
        legal_basis=LEGAL_BASIS,
        decision_ref="岚卫注〔2026〕1号",
    )
    row = FilingTransition.objects.get(filing=filing, to_status="deregistered")
    assert (row.details["legal_basis"], row.details["decision_ref"]) == (
        LEGAL_BASIS,
        "岚卫注〔2026〕1号",
    )


def test_the_deregister_page_takes_placements_and_legal_ground(
    filing: Filing, county_reviewer: User
) -> None:
    client = Client()
    client.force_login(county_reviewer)
    page = reverse("filing-deregister-page", args=[filing.pk])
    refused = client.post(page, {"reason": "停止服务"})
    assert "须写明法律依据" in refused.content.decode()
    bad = client.post(page, {"reason": "停止服务", "legal_basis": LEGAL_BASIS, "placements": "x ¹"})
    assert bad.status_code == 200 and "格式不正确" in bad.content.decode()
    done = client.post(
        page,
        {"reason": "停止服务", "legal_basis": LEGAL_BASIS, "placements": "岚山区春苗托育中心 5"},
    )
    assert done.status_code == 302
    row = FilingTransition.objects.get(filing=filing, to_status="deregistered")
    assert row.details["placements"] == [
        {"receiving_institution": "岚山区春苗托育中心", "children": 5}
    ]


@pytest.mark.django_db
def test_closing_has_a_deadline_from_the_region_rule() -> None:
    entry = receive_approved()
    filing = make_filing(entry, FilingStatus.FILED)
    assert entry.registration is not None
    exchange.deliver_event(cancel(entry.registration).pk)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.CLOSING
    assert filing.closing_due == timezone.localdate() + timedelta(days=30)
    # A county sets its own deadline through the rules mechanism.
    RegionRule.objects.create(
        key="closing_deadline_days", region_id="371103", value=15, effective_from="2020-01-01"
    )
    other = receive_approved()
    other_filing = make_filing(other, FilingStatus.NONCONFORMING)
    assert other.registration is not None
    exchange.deliver_event(cancel(other.registration).pk)
    other_filing.refresh_from_db()
    assert other_filing.closing_due == timezone.localdate() + timedelta(days=15)


def test_tenures_end_when_the_filing_closes(
    filing: Filing,
    operator: User,
    other_operator: User,
    other_institution: Institution,
) -> None:
    person = {"name": "张丽", "id_number": STAFF_ID, "role": "caregiver"}
    member = staff_services.add_staff_member(filing.institution, actor=operator, data=person)
    FiledFilingFactory(institution=other_institution)
    with pytest.raises(DomainError) as caught:
        staff_services.add_staff_member(other_institution, actor=other_operator, data=person)
    assert caught.value.violations[0].code == "staff_already_employed"
    services.deregister_filing(
        filing, actor=operator, reason="停止经营", placement_confirmed=True, placements=[]
    )
    member.refresh_from_db()
    assert member.active is False and member.left_on == timezone.localdate()
    hired = staff_services.add_staff_member(other_institution, actor=other_operator, data=person)
    assert hired.active and StaffMember.objects.filter(active=True).count() == 1


@pytest.mark.django_db
def test_tenures_end_when_a_cancelled_registration_withdraws_a_draft() -> None:
    entry = receive_approved()
    filing = make_filing(entry, FilingStatus.SUBMITTED)
    member = StaffMember.objects.create(
        institution=filing.institution,
        name="张丽",
        id_encrypted="x",
        id_hash="h" * 64,
        id_masked="110101********0023",
        role="caregiver",
    )
    assert entry.registration is not None
    exchange.deliver_event(cancel(entry.registration).pk)
    member.refresh_from_db()
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.DEREGISTERED
    assert member.active is False
