"""The one workflow helper: refusals name statuses by label, history rows, the NotFound answer."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from inspections.models import Complaint, ComplaintStatus, Finding, FindingStatus
from registry.models import (
    ChangeStatus,
    Filing,
    FilingChange,
    FilingStatus,
    FilingTransition,
    Institution,
)
from registry.services import changes as change_services
from registry.services import filings as filing_services
from registry.services.filing_guards import ensure_reviewer
from tests.conftest import client_for
from tests.factories import FiledFilingFactory, FilingFactory
from tuoyu_portal import workflow
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exceptions import InvalidTransition, NotFound
from tuoyu_portal.not_found import NotFoundMiddleware

CHANGE = {
    "places": 30,
    "classes": [
        {"class_type": "older_toddler", "children": 20, "carers": 3},
        {"class_type": "young_toddler", "children": 10, "carers": 2},
    ],
    "address": "日照市岚山区虎山镇",
}


def _message(error: InvalidTransition) -> str:
    return str(error.violations[0].message)


def test_a_refused_move_names_both_statuses_by_label() -> None:
    finding = Finding(status=FindingStatus.VERIFIED)
    with pytest.raises(InvalidTransition) as caught:
        workflow.ensure_transition(finding, FindingStatus.RECTIFICATION_SUBMITTED)
    message = _message(caught.value)
    assert "整改已核验" in message and "已提交整改，待核验" in message
    assert "verified" not in message and "rectification_submitted" not in message
    assert caught.value.status_code == 409
    assert caught.value.violations[0].code == "invalid_transition"


def test_can_become_follows_the_table_and_the_sources() -> None:
    complaint = Complaint(status=ComplaintStatus.RECEIVED)
    assert workflow.can_become(complaint, ComplaintStatus.INVESTIGATING)
    assert not workflow.can_become(complaint, ComplaintStatus.RECEIVED)
    filing = Filing(status=FilingStatus.FILED)
    assert workflow.can_become(filing, FilingStatus.NONCONFORMING)
    assert not workflow.can_become(filing, FilingStatus.NONCONFORMING, (FilingStatus.SUBMITTED,))


def test_the_filing_actions_are_asked_by_status() -> None:
    submitted = Filing(status=FilingStatus.SUBMITTED)
    filed = Filing(status=FilingStatus.FILED)
    assert filing_services.can(submitted, "accept") and filing_services.can(submitted, "supplement")
    assert not filing_services.can(submitted, "nonconforming")
    assert filing_services.can(filed, "nonconforming") and not filing_services.can(filed, "accept")
    # A filed filing may become filed (the table allows it) but "conforming" is not for it.
    assert not filing_services.can(filed, "conforming")


def test_a_change_on_a_filing_not_yet_filed_is_refused_with_labels(
    operator: User, institution: Institution
) -> None:
    filing = FilingFactory(institution=institution)
    with pytest.raises(InvalidTransition) as caught:
        change_services.create_change(filing, actor=operator, proposed=dict(CHANGE))
    message = _message(caught.value)
    assert "草稿" in message and "变更备案" in message
    assert "draft" not in message and "change" not in message
    assert not FilingChange.objects.exists()


def test_a_change_not_in_draft_is_refused_with_labels(
    operator: User, institution: Institution, county_reviewer: User
) -> None:
    filing = FiledFilingFactory(institution=institution)
    change = change_services.create_change(filing, actor=operator, proposed=dict(CHANGE))
    with pytest.raises(InvalidTransition) as caught:
        change_services.accept_change(change, actor=county_reviewer)
    message = _message(caught.value)
    assert str(ChangeStatus.DRAFT.label) in message
    assert str(ChangeStatus.ACCEPTED.label) in message
    assert "accepted" not in message and "draft" not in message
    FilingChange.objects.filter(pk=change.pk).update(status=ChangeStatus.SUBMITTED)
    change.refresh_from_db()
    with pytest.raises(InvalidTransition) as caught:
        change_services.update_change(change, actor=operator, proposed=dict(CHANGE))
    message = _message(caught.value)
    assert str(ChangeStatus.SUBMITTED.label) in message and "submitted" not in message


def test_a_deregistered_filing_cannot_be_deregistered_again_and_says_so_in_labels(
    operator: User, institution: Institution
) -> None:
    filing = FiledFilingFactory(institution=institution)
    Filing.objects.filter(pk=filing.pk).update(status=FilingStatus.DEREGISTERED)
    filing.refresh_from_db()
    with pytest.raises(InvalidTransition) as caught:
        change_services.deregister_filing(
            filing, actor=operator, reason="停办", placement_confirmed=True, placements=[]
        )
    message = _message(caught.value)
    assert "已注销备案" in message and "deregistered" not in message


def test_record_transition_writes_the_move_from_the_current_status(
    operator: User, institution: Institution
) -> None:
    filing = FiledFilingFactory(institution=institution)
    row = workflow.record_transition(
        FilingTransition,
        filing,
        to=FilingStatus.NONCONFORMING,
        actor=operator,
        reason="测试",
        details={"k": 1},
    )
    row.refresh_from_db()
    assert (row.filing_id, row.from_status, row.to_status) == (
        filing.pk,
        FilingStatus.FILED,
        FilingStatus.NONCONFORMING,
    )
    assert (row.actor, row.reason, row.details) == (operator, "测试", {"k": 1})


def test_a_reviewer_of_another_county_gets_not_found_from_the_service(
    operator: User, institution: Institution, other_county_reviewer: User
) -> None:
    filing = FiledFilingFactory(institution=institution)
    with pytest.raises(NotFound):
        ensure_reviewer(filing, other_county_reviewer)
    response = client_for(other_county_reviewer).post(
        f"/api/v1/filings/{filing.pk}/nonconforming/", {"reasons": ["x"]}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.django_db
def test_pages_answer_not_found_as_a_404() -> None:
    middleware = NotFoundMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    request = RequestFactory().get("/filings/1/")
    response = middleware.process_exception(request, NotFound())
    assert response is not None and response.status_code == 404
    assert middleware.process_exception(request, ValueError()) is None
