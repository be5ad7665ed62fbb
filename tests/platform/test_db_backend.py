"""The database backend (tuoyu_portal/db): prepared statements, and audit context beside them."""

from __future__ import annotations

import pghistory
import pytest
from django.db import connection, transaction

from registry.models import Registration, RegistrationEvent
from tests import factories


def test_it_prepares_a_statement_the_connection_runs_repeatedly(db: None) -> None:
    marker = "prepared_statement_probe"
    for _ in range(6):
        list(Registration.objects.filter(name=marker).values("id"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"registry_registration"."name" = $1%'],
        )
        assert cursor.fetchone()[0] >= 1


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_audit_context_on_writes_in_autocommit() -> None:
    registration = factories.RegistrationFactory()
    assert connection.get_autocommit()
    with pghistory.context(reason="autocommit probe"):
        Registration.objects.filter(pk=registration.pk).update(name="自动提交托育有限公司")
    event = RegistrationEvent.objects.filter(pgh_obj_id=registration.pk).latest("pgh_id")
    assert event.name == "自动提交托育有限公司"
    assert event.pgh_context is not None
    assert event.pgh_context.metadata["reason"] == "autocommit probe"


def test_it_keeps_the_audit_context_on_writes_in_a_transaction(db: None) -> None:
    registration = factories.RegistrationFactory()
    with transaction.atomic(), pghistory.context(reason="atomic probe"):
        Registration.objects.filter(pk=registration.pk).update(name="事务托育有限公司")
    event = RegistrationEvent.objects.filter(pgh_obj_id=registration.pk).latest("pgh_id")
    assert event.pgh_context.metadata["reason"] == "atomic probe"


def test_it_splits_bulk_inserts_below_the_bound_parameter_limit(db: None) -> None:
    fields = [object()] * 40
    assert connection.ops.bulk_batch_size(fields, list(range(100_000))) == 65_535 // 40
    assert connection.ops.bulk_batch_size(fields, list(range(10))) == 10
