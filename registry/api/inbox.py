"""GET /api/v1/health-inbox/ — pushed registrations of the reviewer's county (api.md)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.views import APIView

from registry.models import HealthInboxEntry
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.api import cursor_pagination

INBOX_ROLES = frozenset({Role.HEALTH_REVIEWER, Role.SUPERVISOR})


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


class HealthInboxFilter(django_filters.FilterSet):
    has_filing = django_filters.BooleanFilter(field_name="has_filing")
    overdue = django_filters.BooleanFilter(field_name="overdue")
    event = django_filters.ChoiceFilter(
        field_name="event", choices=HealthInboxEntry._meta.get_field("event").choices
    )

    class Meta:
        model = HealthInboxEntry
        fields = ["has_filing", "overdue", "event"]


class HealthInboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Health reviewers (own county) and supervisors (region below); anyone else sees nothing."""

    serializer_class = HealthInboxEntrySerializer
    permission_classes = [CanReadHealthInbox]
    filterset_class = HealthInboxFilter
    pagination_class = cursor_pagination("-received_at", "-id")

    def get_queryset(self) -> QuerySet[HealthInboxEntry]:
        return HealthInboxEntry.objects.visible_to(self.request.user).with_status()
