"""Inspection visits and the due list: input serializer → one service → output serializer."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from inspections.api.filters import InspectionFilter
from inspections.api.serializers.inspections import (
    InspectionDueSerializer,
    InspectionInputSerializer,
    InspectionOutputSerializer,
)
from inspections.api.views.base import TodayContextMixin, require_role
from inspections.models import (
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionKind,
)
from inspections.services import risk, visits
from registry.models import Filing
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.api import (
    ValuesListMixin,
    iso_date,
    iso_datetime,
    labels,
)
from tuoyu_portal.http import AuthenticatedRequest


class InspectionViewSet(
    ValuesListMixin,
    TodayContextMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Visits: inspectors create and list in their region and department; health reviewers list
    their county's; operators their own institutions'."""

    # Behind IsAuthenticated (the default): the user is signed in.
    request: AuthenticatedRequest
    serializer_class = InspectionOutputSerializer
    filterset_class = InspectionFilter

    def get_queryset(self) -> QuerySet[Inspection]:
        return (
            Inspection.objects.visible_to(self.request.user)
            .select_related("filing")
            .prefetch_related("findings")
        )

    # The list: InspectionOutputSerializer's fields from .values() rows plus one query for the
    # page's finding ids (tests/performance/test_lean_lists.py compares the two).
    list_values = (
        "id",
        "filing_id",
        "institution_id",
        "region_id",
        "kind",
        "visited_on",
        "departments",
        "notes",
        "observed_classes",
        "standards_check",
        "over_capacity",
        "checklist_template_id",
        "checklist_answers",
        "quality_score",
        "quality_grade",
        "follow_up_of_id",
        "published",
        "created_at",
    )

    def shape_rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kinds = labels(InspectionKind)
        finding_ids: dict[int, list[int]] = defaultdict(list)
        for inspection_id, finding_id in Finding.objects.filter(
            inspection_id__in=[r["id"] for r in rows]
        ).values_list("inspection_id", "id"):  # Meta ordering, as the prefetch had it
            finding_ids[inspection_id].append(finding_id)
        return [
            {
                "id": r["id"],
                "filing": r["filing_id"],
                "institution": r["institution_id"],
                "region": r["region_id"],
                "kind": r["kind"],
                "kind_display": kinds.get(r["kind"], r["kind"]),
                "visited_on": iso_date(r["visited_on"]),
                "departments": r["departments"],
                "notes": r["notes"],
                "observed_classes": [
                    {
                        "class_type": c["class_type"],
                        "children": c["children"],
                        "carers": c["carers"],
                    }
                    for c in r["observed_classes"] or []
                ],
                "standards_check": r["standards_check"],
                "over_capacity": r["over_capacity"],
                "checklist_template": r["checklist_template_id"],
                "checklist_answers": r["checklist_answers"],
                "quality_score": None
                if r["quality_score"] is None
                else f"{r['quality_score']:.1f}",
                "quality_grade": r["quality_grade"],
                "follow_up_of": r["follow_up_of_id"],
                "published": r["published"],
                "findings": finding_ids.get(r["id"], []),
                "created_at": iso_datetime(r["created_at"]),
            }
            for r in rows
        ]

    @extend_schema(request=InspectionInputSerializer, responses={201: InspectionOutputSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_role(self.request, Role.INSPECTOR)
        data = InspectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        filing = get_object_or_404(Filing.objects.visible_to(self.request.user), pk=v["filing"])
        template = (
            get_object_or_404(ChecklistTemplate, pk=v["checklist_template"])
            if v["checklist_template"]
            else None
        )
        inspection = visits.record_inspection(
            filing,
            actor=self.request.user,
            kind=v["kind"],
            visited_on=v["visited_on"],
            departments=v["departments"],
            notes=v["notes"],
            observed_classes=[dict(c) for c in v["observed_classes"]],
            checklist_template=template,
            checklist_answers=v["checklist_answers"],
        )
        out = self.get_serializer(self.get_queryset().get(pk=inspection.pk))
        return Response(out.data, status=status.HTTP_201_CREATED)


class InspectionDueView(GenericAPIView):
    """Filings of the caller's region due for a visit, riskiest first, with the reasons."""

    serializer_class = InspectionDueSerializer
    queryset = Filing.objects.none()  # for the schema only; the view scopes with visible_to
    pagination_class = None

    @extend_schema(responses=InspectionDueSerializer(many=True))
    def get(self, request: AuthenticatedRequest) -> Response:
        require_role(request, Role.INSPECTOR, Role.HEALTH_REVIEWER, Role.SUPERVISOR)
        due = risk.due_for_visit(Filing.objects.visible_to(request.user), timezone.localdate())
        return Response(self.get_serializer([a for _f, a in due], many=True).data)
