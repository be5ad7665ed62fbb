"""Thin API views: input serializer → one service → output serializer (style.md §7)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from registry.models import Filing
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.api import (
    ValuesListMixin,
    cursor_pagination,
    iso_date,
    iso_datetime,
    labels,
)

from ..models import (
    ChecklistTemplate,
    Complaint,
    CreditRecord,
    EnforcementAction,
    Finding,
    Inspection,
    InspectionKind,
)
from ..services import complaints, enforcement, findings, risk, visits
from . import serializers as s


class _TodayContext:
    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]
        context["today"] = timezone.localdate()
        return context


def _require_role(request: Request, *roles: str) -> None:
    if request.user.role not in roles:
        raise PermissionDenied()


class InspectionViewSet(
    ValuesListMixin,
    _TodayContext,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Visits: inspectors create and list in their region and department; health reviewers list
    their county's; operators their own institutions'."""

    serializer_class = s.InspectionOutputSerializer
    filterset_fields = ["kind", "filing", "institution"]

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

    @extend_schema(
        request=s.InspectionInputSerializer, responses={201: s.InspectionOutputSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _require_role(request, Role.INSPECTOR)
        data = s.InspectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        filing = get_object_or_404(Filing.objects.visible_to(request.user), pk=v["filing"])
        template = (
            get_object_or_404(ChecklistTemplate, pk=v["checklist_template"])
            if v["checklist_template"]
            else None
        )
        inspection = visits.record_inspection(
            filing,
            actor=request.user,
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


class FindingViewSet(
    _TodayContext,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Findings and the rectification loop (`rectify` by the operator, `verify` by the inspector)."""

    serializer_class = s.FindingOutputSerializer
    filterset_fields = ["status", "severity", "inspection", "institution"]

    def get_queryset(self) -> QuerySet[Finding]:
        # Operators do see technical advice given to them; only the public never does.
        return Finding.objects.visible_to(self.request.user).select_related("inspection")

    @extend_schema(request=s.FindingInputSerializer, responses={201: s.FindingOutputSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _require_role(request, Role.INSPECTOR)
        data = s.FindingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        inspection = get_object_or_404(
            Inspection.objects.visible_to(request.user), pk=v.pop("inspection")
        )
        finding = findings.record_finding(inspection, actor=request.user, **v)
        return Response(self.get_serializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.FindingRectifyInputSerializer, responses=s.FindingOutputSerializer)
    @action(detail=True, methods=["post"])
    def rectify(self, request: Request, pk: str | None = None) -> Response:
        finding = self.get_object()
        data = s.FindingRectifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = findings.submit_rectification(
            finding,
            actor=request.user,
            note=data.validated_data["note"],
            evidence=data.validated_data["evidence"],
        )
        return Response(self.get_serializer(finding).data)

    @extend_schema(request=s.FindingVerifyInputSerializer, responses=s.FindingOutputSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        finding = self.get_object()
        data = s.FindingVerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        finding = findings.verify_rectification(finding, actor=request.user, **data.validated_data)
        return Response(self.get_serializer(finding).data)

    @extend_schema(
        request=s.FindingFollowUpInputSerializer, responses={201: s.InspectionOutputSerializer}
    )
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request: Request, pk: str | None = None) -> Response:
        """Schedule a follow-up visit (复查) from this finding (inspectors)."""
        finding = self.get_object()
        _require_role(request, Role.INSPECTOR)
        data = s.FindingFollowUpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = visits.schedule_follow_up(
            finding, actor=request.user, visited_on=data.validated_data["visited_on"]
        )
        return Response(
            s.InspectionOutputSerializer(inspection, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class ComplaintViewSet(
    _TodayContext, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """County health reviewers list and triage complaints; operators never see them (404)."""

    serializer_class = s.ComplaintOutputSerializer
    filterset_fields = ["status"]
    # The triage queue reads oldest deadline first.
    pagination_class = cursor_pagination("due_on", "id")

    def get_queryset(self) -> QuerySet[Complaint]:
        return Complaint.objects.visible_to(self.request.user).select_related("filing")

    @extend_schema(request=s.ComplaintTriageInputSerializer, responses=s.ComplaintOutputSerializer)
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, pk: str | None = None) -> Response:
        complaint = self.get_object()
        data = s.ComplaintTriageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        inspection = (
            get_object_or_404(Inspection.objects.visible_to(request.user), pk=v["inspection"])
            if v["inspection"]
            else None
        )
        complaint = complaints.triage_complaint(
            complaint,
            actor=request.user,
            status=v["status"],
            outcome=v["outcome"],
            note=v["note"],
            inspection=inspection,
        )
        return Response(self.get_serializer(complaint).data)


class EnforcementActionViewSet(
    _TodayContext,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Penalties: the county health bureau records them; operators see and reply to their own."""

    serializer_class = s.EnforcementOutputSerializer
    filterset_fields = ["kind", "institution", "correction_status"]

    def get_queryset(self) -> QuerySet[EnforcementAction]:
        return EnforcementAction.objects.visible_to(self.request.user)

    @extend_schema(
        request=s.EnforcementInputSerializer, responses={201: s.EnforcementOutputSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _require_role(request, Role.HEALTH_REVIEWER)
        data = s.EnforcementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        filing = get_object_or_404(Filing.objects.visible_to(request.user), pk=v.pop("filing"))
        finding_id = v.pop("finding")
        finding = (
            get_object_or_404(Finding.objects.visible_to(request.user), pk=finding_id)
            if finding_id
            else None
        )
        act = enforcement.record_enforcement(filing, actor=request.user, finding=finding, **v)
        return Response(self.get_serializer(act).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.EnforcementReplyInputSerializer, responses=s.EnforcementOutputSerializer
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        data = s.EnforcementReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        act = enforcement.reply_to_enforcement(
            self.get_object(), actor=request.user, reply=data.validated_data["reply"]
        )
        return Response(self.get_serializer(act).data)

    @extend_schema(
        request=s.EnforcementCorrectionInputSerializer, responses=s.EnforcementOutputSerializer
    )
    @action(detail=True, methods=["post"])
    def correction(self, request: Request, pk: str | None = None) -> Response:
        data = s.EnforcementCorrectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        act = enforcement.update_correction(
            self.get_object(), actor=request.user, **data.validated_data
        )
        return Response(self.get_serializer(act).data)


class InspectionDueView(GenericAPIView):
    """Filings of the caller's region due for a visit, riskiest first, with the reasons."""

    serializer_class = s.InspectionDueSerializer
    queryset = Filing.objects.none()  # for the schema only; the view scopes with visible_to
    pagination_class = None

    @extend_schema(responses=s.InspectionDueSerializer(many=True))
    def get(self, request: Request) -> Response:
        _require_role(request, Role.INSPECTOR, Role.HEALTH_REVIEWER, Role.SUPERVISOR)
        due = risk.due_for_visit(Filing.objects.visible_to(request.user), timezone.localdate())
        return Response(self.get_serializer([a for _f, a in due], many=True).data)


class PublicComplaintCreateView(GenericAPIView):
    """Anyone may file a complaint; the answer is only the tracking code."""

    permission_classes = [AllowAny]
    serializer_class = s.PublicComplaintInputSerializer

    @extend_schema(responses={201: s.PublicComplaintCreatedSerializer})
    def post(self, request: Request) -> Response:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaints.submit_complaint(**data.validated_data)
        return Response({"tracking_code": complaint.tracking_code}, status=status.HTTP_201_CREATED)


class PublicComplaintStatusView(GenericAPIView):
    """Status and public outcome by tracking code; never the complainant's identity."""

    permission_classes = [AllowAny]
    serializer_class = s.PublicComplaintStatusSerializer

    def get(self, request: Request, tracking_code: str) -> Response:
        complaint = get_object_or_404(
            Complaint.objects.select_related("filing"), tracking_code=tracking_code.upper()
        )
        return Response(self.get_serializer(complaint).data)


class CreditRecordViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Credit records (诚信档案) with the reason and points of each entry. Staff may look a person
    up by ID number (`?id_number=`, hashed, never stored or echoed in clear)."""

    serializer_class = s.CreditRecordOutputSerializer
    filterset_fields = ["institution", "source"]

    def get_queryset(self) -> QuerySet[CreditRecord]:
        qs = CreditRecord.objects.visible_to(self.request.user)
        id_number = self.request.query_params.get("id_number")
        if id_number and self.request.user.role != Role.OPERATOR:
            from tuoyu_portal import crypto

            qs = qs.filter(person_id_hash=crypto.keyed_hash(id_number))
        return qs
