"""Parents confirm attendance before a family-fee subsidy is approved."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from inspections.models import Complaint
from subsidies import attendance, tasks
from subsidies.models import AttendanceCode, ClaimLine, SchemeKind
from subsidies.senders import MemorySender
from subsidies.services.claims import LineInput, approve_claim, create_claim, submit_claim
from tests.conftest import client_for
from tests.subsidies.conftest import CHILD, JUN, MAY
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.regions.models import RegionRule

CLAIMS = "/api/v1/subsidy-claims/"


@pytest.fixture(autouse=True)
def _confirmation_on(db: None) -> None:
    RegionRule.objects.create(
        key="family_fee_parent_confirmation",
        region_id="371103",
        value=True,
        effective_from=date(2020, 1, 1),
    )
    MemorySender.outbox.clear()


def _claim(filing: Any, operator: Any, schemes: Any, contact: str = "13800138000") -> Any:
    return create_claim(
        filing,
        actor=operator,
        scheme=schemes[SchemeKind.FAMILY_FEE],
        period_start=MAY,
        period_end=JUN,
        lines=[
            LineInput(
                child_name="王小明",
                child_id_number=CHILD,
                birth_order=2,
                months=(MAY, JUN),
                parent_contact=contact,
            )
        ],
    )


def _submitted_with_link(
    filing: Any, operator: Any, schemes: Any, capture: Any, **kwargs: Any
) -> tuple[Any, str]:
    claim = _claim(filing, operator, schemes, **kwargs)
    with capture() as callbacks:
        submit_claim(claim, actor=operator)
    assert len(callbacks) == 1  # the links go out after commit, through the task
    assert tasks.send_attendance_links(claim.pk) == 1
    [message] = MemorySender.outbox
    code = re.search(r"/public/attendance/([^/]+)/", message.body).group(1)
    return claim, code


def test_it_requires_a_parent_contact_where_the_rule_is_on(filing, operator, schemes) -> None:
    payload = {
        "filing": filing.pk,
        "scheme": schemes[SchemeKind.FAMILY_FEE].pk,
        "period_start": "2026-05",
        "period_end": "2026-06",
        "lines": [
            {
                "child_name": "小明",
                "child_id_number": CHILD,
                "birth_order": 2,
                "months": ["2026-05"],
            }
        ],
    }
    response = client_for(operator).post(CLAIMS, payload, format="json")
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["parent_contact_required"]
    payload["lines"][0]["parent_contact"] = "not a contact"
    response = client_for(operator).post(CLAIMS, payload, format="json")
    assert [e["code"] for e in response.json()["errors"]] == ["parent_contact_invalid"]


def test_it_keeps_the_contact_encrypted_and_never_reads_it_back(filing, operator, schemes) -> None:
    claim = _claim(filing, operator, schemes)
    line = ClaimLine.objects.get(claim=claim)
    assert "13800138000" not in line.parent_contact_encrypted
    body = client_for(operator).get(f"{CLAIMS}{claim.pk}/").json()
    assert "13800138000" not in str(body)
    assert body["lines"][0]["confirmation_status"] is None  # a draft: nothing asked yet


def test_it_sends_a_link_stored_only_as_a_hash(
    filing, operator, schemes, django_capture_on_commit_callbacks
) -> None:
    claim, code = _submitted_with_link(
        filing, operator, schemes, django_capture_on_commit_callbacks
    )
    assert MemorySender.outbox[0].channel == "sms" and MemorySender.outbox[0].to == "13800138000"
    stored = AttendanceCode.objects.get()
    assert stored.code_hash == attendance.hash_code(code) and code not in stored.code_hash
    body = client_for(operator).get(f"{CLAIMS}{claim.pk}/").json()
    assert body["lines"][0]["confirmation_status"] == "pending"
    # The task may run twice: a live link is not sent again.
    assert tasks.send_attendance_links(claim.pk) == 0


def test_it_refuses_approval_while_a_line_is_pending(
    filing, operator, finance_officer, schemes, django_capture_on_commit_callbacks
) -> None:
    claim, _code = _submitted_with_link(
        filing, operator, schemes, django_capture_on_commit_callbacks
    )
    response = client_for(finance_officer).post(f"{CLAIMS}{claim.pk}/approve/", {}, format="json")
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["attendance_not_confirmed"]
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_it_shows_the_masked_child_and_months_and_approves_once_confirmed(
    filing, operator, finance_officer, schemes, django_capture_on_commit_callbacks
) -> None:
    claim, code = _submitted_with_link(
        filing, operator, schemes, django_capture_on_commit_callbacks
    )
    page = Client().get(f"/public/attendance/{code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert filing.institution.name in text and "王*明" in text and "2026-05" in text
    assert "王小明" not in text and CHILD not in text
    answered = Client().post(f"/public/attendance/{code}/", {"answer": "confirmed"})
    assert answered.status_code == 200
    approved = approve_claim(claim, actor=finance_officer)
    assert approved.status == "approved"
    history = client_for(finance_officer).get(f"{CLAIMS}{claim.pk}/").json()["history"]
    assert any(h["details"].get("event") == "attendance_confirmed" for h in history)


def test_the_code_is_single_use(
    filing, operator, schemes, django_capture_on_commit_callbacks
) -> None:
    _claim_obj, code = _submitted_with_link(
        filing, operator, schemes, django_capture_on_commit_callbacks
    )
    assert Client().post(f"/public/attendance/{code}/", {"answer": "confirmed"}).status_code == 200
    again = Client().post(f"/public/attendance/{code}/", {"answer": "disputed", "note": "x"})
    assert again.status_code == 404
    assert ClaimLine.objects.get().confirmation_status == "confirmed"
    with pytest.raises(DomainError):
        attendance.answer_attendance(code, answer="confirmed")


def test_the_code_expires(filing, operator, schemes, django_capture_on_commit_callbacks) -> None:
    _claim_obj, code = _submitted_with_link(
        filing, operator, schemes, django_capture_on_commit_callbacks
    )
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = Client().get(f"/public/attendance/{code}/")
    assert response.status_code == 404
    assert "王" not in response.content.decode()


def test_an_unknown_code_reads_nothing(db: None) -> None:
    response = Client().get("/public/attendance/guess-this-code/")
    assert response.status_code == 404


def test_a_dispute_opens_a_case_for_the_county_and_blocks_approval(
    filing, operator, finance_officer, schemes, django_capture_on_commit_callbacks
) -> None:
    claim, code = _submitted_with_link(
        filing, operator, schemes, django_capture_on_commit_callbacks
    )
    no_note = Client().post(f"/public/attendance/{code}/", {"answer": "disputed"})
    assert no_note.status_code == 400  # a dispute needs a note; the code is not spent
    answered = Client().post(
        f"/public/attendance/{code}/", {"answer": "disputed", "note": "六月没有入托"}
    )
    assert answered.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.region_id == "371103" and "六月没有入托" in complaint.content
    with pytest.raises(DomainError) as refused:
        approve_claim(claim, actor=finance_officer)
    assert [v.code for v in refused.value.violations] == ["attendance_not_confirmed"]
    history = client_for(finance_officer).get(f"{CLAIMS}{claim.pk}/").json()["history"]
    [row] = [h for h in history if h["details"].get("event") == "attendance_disputed"]
    assert "六月没有入托" in row["reason"] and complaint.tracking_code in row["reason"]


def test_a_reminder_replaces_an_unanswered_link(
    filing, operator, schemes, django_capture_on_commit_callbacks
) -> None:
    _claim_obj, first = _submitted_with_link(
        filing, operator, schemes, django_capture_on_commit_callbacks
    )
    assert tasks.remind_attendance() == 0  # too early
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert tasks.remind_attendance() == 1
        assert tasks.remind_attendance() == 0  # idempotent the same day
        second = re.search(r"/attendance/([^/]+)/", MemorySender.outbox[-1].body).group(1)
        assert Client().get(f"/public/attendance/{first}/").status_code == 404
        assert Client().get(f"/public/attendance/{second}/").status_code == 200


def test_a_claim_submitted_before_the_rule_was_on_is_not_held_back(
    filing, operator, finance_officer, schemes, django_capture_on_commit_callbacks
) -> None:
    RegionRule.objects.filter(key="family_fee_parent_confirmation").delete()
    claim = _claim(filing, operator, schemes, contact="")
    with django_capture_on_commit_callbacks() as callbacks:
        submit_claim(claim, actor=operator)
    assert callbacks == []  # no link: the rule was off
    RegionRule.objects.create(
        key="family_fee_parent_confirmation",
        region_id="371103",
        value=True,
        effective_from=date(2020, 1, 1),
    )
    assert approve_claim(claim, actor=finance_officer).status == "approved"


def test_an_email_contact_gets_the_link_by_email(
    filing, operator, schemes, django_capture_on_commit_callbacks
) -> None:
    _claim_obj, _code = _submitted_with_link(
        filing, operator, schemes, django_capture_on_commit_callbacks, contact="mum@example.cn"
    )
    assert MemorySender.outbox[0].channel == "email"
    assert "王*明" in MemorySender.outbox[0].body and "王小明" not in MemorySender.outbox[0].body


def test_the_link_page_is_rate_limited_per_address(db: None, settings) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.PUBLIC_RATE_LIMITS = {**settings.PUBLIC_RATE_LIMITS, "public-attendance:GET": "3/m"}
    client = Client()
    answers = [client.get(f"/public/attendance/guess-{n}/").status_code for n in range(5)]
    assert answers == [404, 404, 404, 429, 429]
