"""A stopped Redis fails no approval and loses no news: the inbox row commits with the approval,
and the e-mail the broker never saw is sent by the sweep."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from registry.models import RegistrationStatus
from tests import factories
from tests.conftest import client_for
from tests.exchange.helpers import registrar_for
from tests.exchange.test_nonblocking import dead_broker
from tests.factories import credit_code
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.notifications.models import Notification, NotificationKind
from tuoyu_portal.notifications.services import notify

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_approval_succeeds_and_notifies_while_redis_is_down() -> None:
    operator = factories.UserFactory(
        username="operator_outage", role=Role.OPERATOR, email="operator@example.cn"
    )
    institution = factories.InstitutionFactory(region_id="371103", owner=operator)
    reg = factories.SubmittedRegistrationFactory(institution=institution)

    with dead_broker():
        started = time.monotonic()
        response = client_for(registrar_for("371103", "xzsp")).post(
            f"/api/v1/registrations/{reg.pk}/approve/",
            {"credit_code": credit_code(reg.pk)},
            format="json",
        )
        took = time.monotonic() - started
        # The e-mail publisher gives up on its own (socket timeouts); it never wedges.
        deadline = time.monotonic() + 15
        while notify.EMAILS.pending and time.monotonic() < deadline:
            time.sleep(0.1)
        assert notify.EMAILS.pending == 0

    assert response.status_code == 200, response.content
    assert response.json()["status"] == RegistrationStatus.APPROVED
    assert took < 3.0
    row = Notification.objects.get(recipient=operator)
    assert row.kind == NotificationKind.REGISTRATION_APPROVED and row.emailed_at is None
    assert mail.outbox == []

    # The beat sweep sends what the broker never saw, once.
    later = timezone.now() + timedelta(minutes=2)
    assert notify.send_pending_emails(now=later) == 1
    assert notify.send_pending_emails(now=later) == 0
    assert [m.to for m in mail.outbox] == [["operator@example.cn"]]
    row.refresh_from_db()
    assert row.emailed_at is not None
