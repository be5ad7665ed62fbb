"""Two approvals of the same credit code at once: one wins, the other is a clean 400.

The service checks the code first, but two transactions can both pass that check; the partial
unique index then decides, and the loser must get `credit_code_taken`, not an IntegrityError.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from registry.models import Registration, RegistrationStatus
from registry.services import registrations as services
from tests import factories
from tests.factories import credit_code
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.exchange.models import OutboxEvent


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("precheck", [True, False], ids=["with-precheck", "index-only"])
def test_it_lets_one_of_two_concurrent_approvals_of_a_code_win(
    registrar: User, monkeypatch: pytest.MonkeyPatch, precheck: bool
) -> None:
    if not precheck:
        # Both pass the check, as in the worst interleaving: only the unique index decides.
        monkeypatch.setattr(services, "check_credit_code_free", lambda *a, **k: None)
    first = factories.SubmittedRegistrationFactory(name="甲全日制托育有限公司")
    second = factories.SubmittedRegistrationFactory(name="乙全日制托育有限公司")
    code = credit_code(999)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(reg: Registration) -> None:
        try:
            barrier.wait(timeout=10)
            services.approve_registration(reg, actor=registrar, credit_code=code)
            outcomes.append("approved")
        except DomainError as exc:
            outcomes.append(exc.violations[0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(reg,)) for reg in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["approved", "credit_code_taken"]
    assert Registration.objects.filter(status=RegistrationStatus.APPROVED).count() == 1
    assert Registration.objects.filter(status=RegistrationStatus.SUBMITTED).count() == 1
    assert OutboxEvent.objects.count() == 1
