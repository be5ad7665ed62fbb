"""GET /api/v1/health-inbox/ — pushed registrations of the reviewer's county (api.md)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from rest_framework import mixins, permissions, viewsets
from rest_framework.request import Request
from rest_framework.views import APIView

from registry.api.serializers.inbox import HealthInboxEntrySerializer
from registry.models import FilingStatus, HealthInboxEntry, InboxEvent
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.api import ValuesListMixin, cursor_pagination, iso_date, iso_datetime, labels
from tuoyu_portal.filters import FilterParams
from tuoyu_portal.http import AuthenticatedRequest

INBOX_ROLES = frozenset({Role.HEALTH_REVIEWER, Role.SUPERVISOR})


def filing_status_label(status: str | None) -> str | None:
    """草稿, 已提交，待审核, …: what a person reads for the filing's status (None: no filing)."""
    return str(FilingStatus(status).label) if status in FilingStatus.values else None


class CanReadHealthInbox(permissions.IsAuthenticated):
    """Only the health side reads the inbox; other roles get 403 (outside the county: 404)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return (
            super().has_permission(request, view)
            # IsAuthenticated passed: a User.
            and cast(User, request.user).role in INBOX_ROLES
        )


class HealthInboxViewSet(
    ValuesListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Health reviewers (own county) and supervisors (region below); anyone else sees nothing."""

    request: AuthenticatedRequest

    list_values = (
        "id",
        "registration_ref",
        "credit_code",
        "name",
        "event",
        "received_at",
        "has_filing",
        "filing_status",
        "days_since_approval",
        "overdue",
        "overdue_after_days",
        "region_id",
        "approved_on",
        "address",
        "legal_representative_name",
        "authority",
    )

    def shape_rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        events = labels(InboxEvent)
        return [
            {
                "id": r["id"],
                "registration": r["registration_ref"],
                "credit_code": r["credit_code"],
                "name": r["name"],
                "event": r["event"],
                "event_display": events.get(r["event"], r["event"]),
                "received_at": iso_datetime(r["received_at"]),
                "has_filing": r["has_filing"],
                "filing_status": r["filing_status"],
                "filing_status_display": filing_status_label(r["filing_status"]),
                "days_since_approval": r["days_since_approval"],
                "overdue": r["overdue"],
                "overdue_after_days": r["overdue_after_days"],
                "region": r["region_id"],
                "approved_on": iso_date(r["approved_on"]),
                "address": r["address"],
                "legal_representative_name": r["legal_representative_name"],
                "authority": r["authority"],
            }
            for r in rows
        ]

    serializer_class = HealthInboxEntrySerializer
    permission_classes = [CanReadHealthInbox]
    filter_params: FilterParams = {"has_filing": bool, "overdue": bool, "event": InboxEvent}
    pagination_class = cursor_pagination("-received_at", "-id")

    def get_queryset(self) -> QuerySet[HealthInboxEntry]:
        return HealthInboxEntry.objects.visible_to(self.request.user).with_status()
