"""Claim services against the database: workflow, history, once-only entitlements, sampling."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from subsidies.models import (
    BatchStatus,
    ChildMonthClaim,
    Claim,
    ClaimStatus,
    PaymentBatch,
    SchemeKind,
)
from subsidies.services import batches, claims
from subsidies.services.claims import LineInput, create_claim, submit_claim
from tests.subsidies.conftest import AUG, CHILD, JUL, JUN, MAY, draft_family_claim, family_lines
from tuoyu_portal.exceptions import DomainError, InvalidTransition, NotPermitted
from tuoyu_portal.regions.models import RegionRule


def _codes(exc: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [v.code for v in exc.value.violations]


def test_it_creates_a_draft_with_encrypted_hashed_masked_child_ids(
    filing, operator, schemes
) -> None:
    claim = draft_family_claim(filing, operator, schemes)
    line = claim.lines.get()
    assert claim.status == ClaimStatus.DRAFT
    assert CHILD not in line.child_id_encrypted
    assert line.child_id_masked == CHILD[:6] + "********" + CHILD[-4:]
    assert len(line.child_id_hash) == 64
    assert line.child_birth_date == date(2025, 1, 15)
    assert list(claim.transitions.values_list("from_status", "to_status")) == [("", "draft")]


def test_it_refuses_a_claim_from_an_operator_of_another_institution(
    filing, other_operator, schemes
) -> None:
    with pytest.raises(NotPermitted):
        draft_family_claim(filing, other_operator, schemes)
    assert not Claim.objects.exists()


def test_it_lists_every_bad_child_line_at_once(filing, operator, schemes) -> None:
    with pytest.raises(DomainError) as exc:
        create_claim(
            filing,
            actor=operator,
            scheme=schemes[SchemeKind.FAMILY_FEE],
            period_start=MAY,
            period_end=JUN,
            lines=[
                LineInput(child_name="", child_id_number="110105194912310021", birth_order=1),
                LineInput(child_name="小红", child_id_number=CHILD, birth_order=2, months=(JUL,)),
            ],
        )
    assert set(_codes(exc)) == {
        "required",
        "invalid_id_number",
        "invalid_birth_order",
        "month_outside_period",
    }
    assert not Claim.objects.exists()


def test_it_submits_with_a_history_row_and_takes_the_child_months(
    filing, operator, schemes
) -> None:
    claim = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    assert claim.status == ClaimStatus.SUBMITTED and claim.submitted_at
    assert claim.transitions.last().to_status == ClaimStatus.SUBMITTED
    assert sorted(claim.child_months.values_list("month", flat=True)) == [MAY, JUN]


def test_it_refuses_a_child_month_already_claimed_by_another_institution(
    filing, second_filing, operator, second_operator, schemes
) -> None:
    submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    with pytest.raises(DomainError) as exc:
        draft_family_claim(
            second_filing,
            second_operator,
            schemes,
            period_end=JUL,
            lines=family_lines(months=(JUN, JUL)),
        )
    # Refused at creation , with the code and wording of the submit check.
    assert _codes(exc) == ["duplicate_claim"]
    assert "2026-06" in str(exc.value.violations[0].message)
    assert Claim.objects.count() == 1


def test_a_draft_holds_its_child_months_against_a_second_draft_until_it_is_rejected(
    filing, second_filing, operator, second_operator, finance_officer, schemes
) -> None:
    first = draft_family_claim(filing, operator, schemes)
    with pytest.raises(DomainError) as exc:
        draft_family_claim(second_filing, second_operator, schemes)
    assert _codes(exc) == ["duplicate_claim"]
    # Other months of the same child, and the same months of another child, are free.
    draft_family_claim(
        second_filing,
        second_operator,
        schemes,
        period_start=JUL,
        period_end=AUG,
        lines=family_lines(months=(JUL, AUG)),
    )
    submit_claim(first, actor=operator)
    claims.reject_claim(first, actor=finance_officer, reason="入托记录不符")
    assert draft_family_claim(second_filing, second_operator, schemes).status == ClaimStatus.DRAFT


def test_it_frees_the_child_months_when_a_claim_is_rejected(
    filing, second_filing, operator, second_operator, finance_officer, schemes
) -> None:
    first = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    claims.reject_claim(first, actor=finance_officer, reason="入托记录不符")
    assert ChildMonthClaim.objects.filter(claim=first, released=True).count() == 2
    second = draft_family_claim(second_filing, second_operator, schemes)
    assert submit_claim(second, actor=second_operator).status == ClaimStatus.SUBMITTED


def test_it_keeps_the_child_months_while_changes_are_requested(
    filing, second_filing, operator, second_operator, finance_officer, schemes
) -> None:
    first = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    claims.request_changes(first, actor=finance_officer, reason="请补充入托登记表")
    with pytest.raises(DomainError) as exc:
        submit_claim(
            draft_family_claim(second_filing, second_operator, schemes), actor=second_operator
        )
    assert _codes(exc) == ["duplicate_claim"]
    # The returned claim is resubmitted without tripping over its own entitlements.
    again = submit_claim(first, actor=operator)
    assert again.status == ClaimStatus.SUBMITTED
    assert again.child_months.count() == 2


def test_it_pays_a_classs_start_up_grant_once(filing, operator, schemes) -> None:
    def startup(classes: int, month: date) -> Claim:
        return create_claim(
            filing,
            actor=operator,
            scheme=schemes[SchemeKind.STARTUP],
            period_start=month,
            period_end=month,
            lines=[LineInput(classes=classes)],
        )

    submit_claim(startup(1, MAY), actor=operator)
    # The second class is still free…
    submit_claim(startup(1, JUN), actor=operator)
    # …but a third claim finds both classes taken.
    with pytest.raises(DomainError) as exc:
        submit_claim(startup(1, JUL), actor=operator)
    assert _codes(exc) == ["duplicate_claim"]


def test_it_pays_the_demonstration_award_once_per_institution(filing, operator, schemes) -> None:
    from tests.subsidies.test_demonstration_grade import graded

    graded(filing, "A")  # the award needs the demonstration grade

    def award(month: date) -> Claim:
        return create_claim(
            filing,
            actor=operator,
            scheme=schemes[SchemeKind.DEMONSTRATION_AWARD],
            period_start=month,
            period_end=month,
            lines=[],
        )

    submit_claim(award(MAY), actor=operator)
    with pytest.raises(DomainError) as exc:
        submit_claim(award(JUN), actor=operator)
    assert _codes(exc) == ["duplicate_claim"]


def test_it_refuses_an_identical_second_claim(filing, operator, schemes) -> None:
    draft_family_claim(filing, operator, schemes)
    with pytest.raises(DomainError) as exc:
        draft_family_claim(filing, operator, schemes)
    assert _codes(exc) == ["duplicate_claim"]
    assert Claim.objects.count() == 1


@pytest.mark.parametrize(("share", "flagged"), [(1, True), (0, False)])
def test_it_samples_approved_claims_for_document_review_by_the_regions_share(
    filing, operator, finance_officer, schemes, share, flagged
) -> None:
    RegionRule.objects.create(
        key="subsidy_audit_sample_share",
        region_id="371103",
        value=share,
        effective_from=date(2025, 1, 1),
    )
    claim = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    claim = claims.approve_claim(claim, actor=finance_officer)
    assert claim.audit_flagged is flagged
    assert claim.transitions.last().details["audit_flagged"] is flagged


def test_it_always_samples_claims_at_or_over_the_amount_threshold(
    filing, operator, finance_officer, schemes
) -> None:
    RegionRule.objects.create(
        key="subsidy_audit_sample_share",
        region_id="371103",
        value=0,
        effective_from=date(2025, 1, 1),
    )
    RegionRule.objects.create(
        key="subsidy_audit_amount_threshold",
        region_id="371103",
        value=600,
        effective_from=date(2025, 1, 1),
    )
    claim = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    assert claims.approve_claim(claim, actor=finance_officer).audit_flagged is True


def test_it_samples_about_the_configured_share() -> None:
    sampled = sum(claims.audit_sampled(claim_id, 0.1) for claim_id in range(1, 5001))
    assert 400 < sampled < 600


@pytest.mark.parametrize("service", ["approve", "reject", "request_changes"])
def test_it_refuses_decisions_by_an_officer_of_another_region(
    filing, operator, other_finance_officer, schemes, service
) -> None:
    claim = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    with pytest.raises(NotPermitted):
        _run(service, claim, other_finance_officer)


def test_it_requires_a_reason_to_reject_or_return(
    filing, operator, finance_officer, schemes
) -> None:
    claim = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    for service in ("reject", "request_changes"):
        with pytest.raises(DomainError) as exc:
            _run(service, claim, finance_officer, reason="  ")
        assert _codes(exc) == ["reason_required"]


# ── Every transition pair, allowed and refused (Claim.TRANSITIONS) ─────────────────────────
def _run(service: str, claim: Claim, actor: Any, reason: str = "理由") -> Claim:
    if service == "approve":
        return claims.approve_claim(claim, actor=actor)
    if service == "reject":
        return claims.reject_claim(claim, actor=actor, reason=reason)
    return claims.request_changes(claim, actor=actor, reason=reason)


TARGETS = {
    ClaimStatus.SUBMITTED: "submit",
    ClaimStatus.APPROVED: "approve",
    ClaimStatus.REJECTED: "reject",
    ClaimStatus.CHANGES_REQUESTED: "request_changes",
    ClaimStatus.PAID: "pay",
}
PAIRS = [(source, target) for source in ClaimStatus.values for target in TARGETS]


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_it_allows_exactly_the_transitions_in_the_table(
    filing, operator, finance_officer, schemes, source, target
) -> None:
    claim = draft_family_claim(filing, operator, schemes)
    Claim.objects.filter(pk=claim.pk).update(status=source)
    claim.refresh_from_db()
    allowed = target in Claim.TRANSITIONS[source]
    before = claim.transitions.count()

    def act() -> None:
        service = TARGETS[target]
        if service == "submit":
            submit_claim(claim, actor=operator)
        elif service == "pay":
            batch = PaymentBatch.objects.create(region_id="371103", created_by=finance_officer)
            Claim.objects.filter(pk=claim.pk).update(batch=batch)
            batches.mark_batch_paid(batch, actor=finance_officer, payment_ref="GK2026-001")
        else:
            _run(service, claim, finance_officer)

    if allowed:
        act()
        claim.refresh_from_db()
        assert claim.status == target
        assert claim.transitions.count() == before + 1
        assert claim.transitions.last().to_status == target
    else:
        with pytest.raises(InvalidTransition):
            act()
        claim.refresh_from_db()
        assert claim.status == source
        assert claim.transitions.count() == before
        if target == ClaimStatus.PAID:
            assert PaymentBatch.objects.get().status == BatchStatus.OPEN


# ── Every transition pair of PaymentBatch.TRANSITIONS ────────────────────────────────────────
# `open` is only the state a batch is created in, so `paid` is the one target.
BATCH_PAIRS = [(source, BatchStatus.PAID) for source in BatchStatus.values]


@pytest.mark.parametrize(("source", "target"), BATCH_PAIRS)
def test_it_allows_exactly_the_batch_transitions_in_the_table(
    filing, operator, finance_officer, schemes, source, target
) -> None:
    claim = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    claim = claims.approve_claim(claim, actor=finance_officer)
    batch = batches.create_batch([claim.pk], actor=finance_officer)
    if source != BatchStatus.OPEN:
        # A batch already in `source`, written as the service writes a paid one.
        PaymentBatch.objects.filter(pk=batch.pk).update(
            status=source, payment_ref="GK2026-000", paid_by=finance_officer
        )
    claim_history = claim.transitions.count()

    def act() -> PaymentBatch:
        return batches.mark_batch_paid(batch, actor=finance_officer, payment_ref="GK2026-001")

    if target in PaymentBatch.TRANSITIONS[source]:
        act()
        batch.refresh_from_db()
        claim.refresh_from_db()
        assert batch.status == target
        assert (batch.payment_ref, batch.paid_by) == ("GK2026-001", finance_officer)
        assert batch.paid_at is not None
        assert claim.status == ClaimStatus.PAID
        assert claim.transitions.count() == claim_history + 1
    else:
        with pytest.raises(InvalidTransition) as caught:
            act()
        assert caught.value.status_code == 409
        (violation,) = caught.value.violations
        assert violation.code == "invalid_transition"
        # The refusal names both states by their labels, never by their codes.
        assert str(BatchStatus(source).label) in str(violation.message)
        assert str(BatchStatus(target).label) in str(violation.message)
        assert source not in str(violation.message)
        batch.refresh_from_db()
        claim.refresh_from_db()
        assert (batch.status, batch.payment_ref) == (source, "GK2026-000")
        assert claim.status == ClaimStatus.APPROVED
        assert claim.transitions.count() == claim_history
