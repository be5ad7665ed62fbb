"""A claim decision reaches the institution's operators at once, in words (never a status)."""

from __future__ import annotations

from typing import Any

import pytest

from subsidies.models import SchemeKind
from subsidies.services.claims import (
    LineInput,
    approve_claim,
    create_claim,
    reject_claim,
    request_changes,
    submit_claim,
)
from tests.subsidies.conftest import MAY
from tuoyu_portal.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def submitted(filing: Any, operator: Any, schemes: Any) -> Any:
    claim = create_claim(
        filing,
        actor=operator,
        scheme=schemes[SchemeKind.STARTUP],
        period_start=MAY,
        period_end=MAY,
        lines=[LineInput(classes=1)],
    )
    return submit_claim(claim, actor=operator)


@pytest.mark.parametrize(
    ("decide", "title", "words"),
    [
        (
            lambda c, a: approve_claim(c, actor=a),
            "补贴申请审核结果：已核准",
            "已核准，将编入支付批次",
        ),
        (
            lambda c, a: reject_claim(c, actor=a, reason="托位数与备案不符"),
            "补贴申请审核结果：不予补贴",
            "未获核准。理由：托位数与备案不符",
        ),
        (
            lambda c, a: request_changes(c, actor=a, reason="请补充班级名册"),
            "补贴申请审核结果：需修改",
            "需修改后重新提交：请补充班级名册",
        ),
    ],
    ids=["approved", "rejected", "changes_requested"],
)
def test_a_decision_tells_only_the_institutions_operators(
    filing: Any,
    operator: Any,
    other_operator: Any,
    finance_officer: Any,
    schemes: Any,
    decide: Any,
    title: str,
    words: str,
) -> None:
    claim = submitted(filing, operator, schemes)

    decide(claim, finance_officer)

    (row,) = Notification.objects.all()
    assert row.recipient == operator and row.kind == NotificationKind.CLAIM_DECIDED
    assert row.title == title
    assert words in row.body and "startup" not in row.body
    assert row.link == f"/subsidies/claims/{claim.pk}/"
    assert not Notification.objects.filter(recipient=other_operator).exists()
