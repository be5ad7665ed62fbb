"""GET /api/v1/health-inbox/ — pushed registrations of the reviewer's county (api.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.views import APIView

from registry.models import FilingStatus, HealthInboxEntry, InboxEvent
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.api import ValuesListMixin, cursor_pagination, iso_date, iso_datetime, labels
from tuoyu_portal.filters import ChoiceFilterBackend

INBOX_ROLES = frozenset({Role.HEALTH_REVIEWER, Role.SUPERVISOR})


def filing_status_label(status: str | None) -> str | None:
    """草稿, 已提交，待审核, …: what a person reads for the filing's status (None: no filing)."""
    return str(FilingStatus(status).label) if status in FilingStatus.values else None


class CanReadHealthInbox(permissions.IsAuthenticated):
    """Only the health side reads the inbox; other roles get 403 (outside the county: 404)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return super().has_permission(request, view) and request.user.role in INBOX_ROLES


class HealthInboxEntrySerializer(serializers.ModelSerializer):
    # api.md: `registration` is the registration id (the sender's id when pushed from elsewhere).
    registration = serializers.IntegerField(source="registration_ref", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    event_display = serializers.CharField(source="get_event_display", read_only=True)
    has_filing = serializers.BooleanField(read_only=True)
    # api.md 1.1: null when there is no filing, `draft` while only a draft exists.
    filing_status = serializers.ChoiceField(
        choices=FilingStatus.choices, read_only=True, allow_null=True
    )
    filing_status_display = serializers.CharField(read_only=True, allow_null=True)
    days_since_approval = serializers.IntegerField(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(read_only=True)
    overdue_after_days = serializers.IntegerField(read_only=True)

    class Meta:
        model = HealthInboxEntry
        fields = [
            "id",
            "registration",
            "credit_code",
            "name",
            "event",
            "event_display",
            "received_at",
            "has_filing",
            "filing_status",
            "filing_status_display",
            "days_since_approval",
            "overdue",
            "overdue_after_days",
            "region",
            "approved_on",
            "address",
            "legal_representative_name",
            "authority",
        ]
        read_only_fields = fields


class HealthInboxViewSet(
    ValuesListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Health reviewers (own county) and supervisors (region below); anyone else sees nothing."""

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
    filter_backends = [ChoiceFilterBackend]
    filter_params = {"has_filing": bool, "overdue": bool, "event": InboxEvent}
    pagination_class = cursor_pagination("-received_at", "-id")

    def get_queryset(self) -> QuerySet[HealthInboxEntry]:
        return HealthInboxEntry.objects.visible_to(self.request.user).with_status()
