"""`{% latest_reconciliation as report %}`: the newest reconciliation report, for the admin index."""

from __future__ import annotations

from django import template

from registry.models import ReconciliationReport

register = template.Library()


@register.simple_tag
def latest_reconciliation() -> ReconciliationReport | None:
    return ReconciliationReport.objects.order_by("-run_on").first()
