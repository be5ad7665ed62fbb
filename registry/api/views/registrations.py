"""API of registrations (登记) and institutions: api.md "Registrations".

Thin views (style.md §7): reads through `visible_to(user)` (outside jurisdiction → 404), each
transition an `@action` that validates a small input serializer, calls one service and answers
with the output serializer.
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from registry.api.serializers.registrations import (
    ImportBatchInputSerializer,
    ImportBatchOutputSerializer,
    InstitutionOutputSerializer,
    MemberAddInputSerializer,
    MembershipOutputSerializer,
    RegistrationApproveInputSerializer,
    RegistrationInputSerializer,
    RegistrationOutputSerializer,
    RegistrationReasonInputSerializer,
)
from registry.bulk_import import IMPORT_MAX_BYTES
from registry.models import (
    ImportBatch,
    Institution,
    LegalNature,
    Registration,
    RegistrationStatus,
    RegistrationTransition,
)
from registry.services import registrations as services
from registry.services.bulk_import import import_registrations
from tuoyu_portal.accounts.models import Authority, Role, User
from tuoyu_portal.api import (
    IdCursorPagination,
    ValuesListMixin,
    iso_date,
    iso_datetime,
    labels,
)
from tuoyu_portal.exceptions import DomainError, NotPermitted
from tuoyu_portal.filters import FilterParams
from tuoyu_portal.http import AuthenticatedRequest

# --- output ------------------------------------------------------------------------------------


# --- input -------------------------------------------------------------------------------------


# --- filters and pagination --------------------------------------------------------------------


class RegistrationPagination(IdCursorPagination):
    """Newest first, except the registrar queue (`?status=submitted`): oldest submission first."""

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        if request.query_params.get("status") == RegistrationStatus.SUBMITTED:
            return ("submitted_at", "id")
        return ("-id",)


# --- views -------------------------------------------------------------------------------------


@extend_schema(tags=["registrations"])
class RegistrationViewSet(
    ValuesListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Registration],
):
    """Operators create and edit their own drafts; registrars decide those routed to them."""

    request: AuthenticatedRequest

    serializer_class = RegistrationOutputSerializer
    filter_params: FilterParams = {"status": RegistrationStatus, "authority": Authority}
    pagination_class = RegistrationPagination

    def get_queryset(self) -> QuerySet[Registration]:
        return (
            Registration.objects.visible_to(self.request.user)
            .select_related("region")
            .prefetch_related("transitions__actor")
        )

    # Lists and the registrar queue: RegistrationOutputSerializer's fields from .values() rows
    # plus one query for the page's history (tests/performance/test_lean_lists.py).
    list_values = (
        "id",
        "institution_id",
        "name",
        "legal_nature",
        "care_modes",
        "business_scope",
        "region_id",
        "address",
        "legal_representative_name",
        "legal_representative_id_masked",
        "contact_phone",
        "credit_code",
        "authority",
        "status",
        "submitted_at",
        "decided_at",
        "approved_on",
    )

    def shape_rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        natures, authorities, statuses = (
            labels(LegalNature),
            labels(Authority),
            labels(RegistrationStatus),
        )
        history: dict[int, list[dict[str, Any]]] = defaultdict(list)
        transitions = RegistrationTransition.objects.filter(
            registration_id__in=[r["id"] for r in rows]
        ).values(
            "registration_id",
            "from_status",
            "to_status",
            "reason",
            "created_at",
            "actor_id",
            "actor__username",
            "actor__first_name",
            "actor__last_name",
        )
        for t in transitions:  # model Meta ordering: created_at, id
            full_name = f"{t['actor__first_name']} {t['actor__last_name']}".strip()
            history[t["registration_id"]].append(
                {
                    "from_status": t["from_status"],
                    "to_status": t["to_status"],
                    # str(User): the full name, else the username.
                    "actor": (full_name or t["actor__username"]) if t["actor_id"] else None,
                    "reason": t["reason"],
                    "created_at": iso_datetime(t["created_at"]),
                }
            )
        viewer = self.request.user
        shaped = []
        for r in rows:
            # next_step/warnings read attributes only: the row stands in for the model.
            reg: Any = SimpleNamespace(**r)
            shaped.append(
                {
                    "id": r["id"],
                    "institution": r["institution_id"],
                    "name": r["name"],
                    "legal_nature": r["legal_nature"],
                    "legal_nature_display": natures.get(r["legal_nature"], r["legal_nature"]),
                    "care_modes": r["care_modes"],
                    "business_scope": r["business_scope"],
                    "region": r["region_id"],
                    "address": r["address"],
                    "legal_representative_name": r["legal_representative_name"],
                    "legal_representative_id_masked": r["legal_representative_id_masked"],
                    "contact_phone": r["contact_phone"],
                    "credit_code": r["credit_code"],
                    "authority": r["authority"],
                    "authority_display": authorities.get(r["authority"], r["authority"]),
                    "status": r["status"],
                    "status_display": statuses.get(r["status"], r["status"]),
                    "submitted_at": iso_datetime(r["submitted_at"]),
                    "decided_at": iso_datetime(r["decided_at"]),
                    "approved_on": iso_date(r["approved_on"]),
                    "history": history.get(r["id"], []),
                    "next_step": services.next_step(reg, viewer),
                    "warnings": [v.as_dict() for v in services.registration_warnings(reg)],
                }
            )
        return shaped

    def _answer(self, reg: Registration, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=reg.pk).first() or reg
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        request=RegistrationInputSerializer, responses={201: RegistrationOutputSerializer}
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        data = _validated(RegistrationInputSerializer, request.data)
        if "institution" in data:
            data["institution"] = _own_institution(request, data["institution"])
        reg = services.create_registration(actor=request.user, data=data)
        return self._answer(reg, status.HTTP_201_CREATED)

    @extend_schema(request=RegistrationInputSerializer, responses=RegistrationOutputSerializer)
    def partial_update(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        reg = self.get_object()
        data = _validated(RegistrationInputSerializer, request.data, partial=True)
        data.pop("institution", None)  # an application never moves between institutions
        reg = services.update_registration(reg, actor=request.user, data=data)
        return self._answer(reg)

    @extend_schema(request=None, responses=RegistrationOutputSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        reg = services.submit_registration(self.get_object(), actor=request.user)
        return self._answer(reg)

    @extend_schema(
        request=RegistrationReasonInputSerializer, responses=RegistrationOutputSerializer
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        data = _validated(RegistrationReasonInputSerializer, request.data)
        reg = services.return_registration(
            self.get_object(), actor=request.user, reason=data["reason"]
        )
        return self._answer(reg)

    @extend_schema(
        request=RegistrationReasonInputSerializer, responses=RegistrationOutputSerializer
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        data = _validated(RegistrationReasonInputSerializer, request.data)
        reg = services.reject_registration(
            self.get_object(), actor=request.user, reason=data["reason"]
        )
        return self._answer(reg)

    @extend_schema(
        request=RegistrationApproveInputSerializer, responses=RegistrationOutputSerializer
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        data = _validated(RegistrationApproveInputSerializer, request.data)
        reg = services.approve_registration(
            self.get_object(), actor=request.user, credit_code=data.get("credit_code") or None
        )
        return self._answer(reg)

    @extend_schema(
        request=RegistrationReasonInputSerializer, responses=RegistrationOutputSerializer
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        data = _validated(RegistrationReasonInputSerializer, request.data)
        reg = services.cancel_registration(
            self.get_object(), actor=request.user, reason=data["reason"]
        )
        return self._answer(reg)


@extend_schema(tags=["institutions"])
class InstitutionViewSet(viewsets.ReadOnlyModelViewSet[Institution]):
    """Institutions the caller may see, with their operator accounts; owners add colleagues."""

    request: AuthenticatedRequest

    serializer_class = InstitutionOutputSerializer

    def get_queryset(self) -> QuerySet[Institution]:
        return Institution.objects.visible_to(self.request.user).prefetch_related(
            "memberships__user"
        )

    @extend_schema(request=MemberAddInputSerializer, responses={201: MembershipOutputSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        data = _validated(MemberAddInputSerializer, request.data)
        membership = services.add_colleague(
            self.get_object(), actor=request.user, username=data["username"]
        )
        return Response(MembershipOutputSerializer(membership).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["registrations"])
class ImportBatchViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[ImportBatch],
):
    """Registrars import institutions registered elsewhere (CSV/XLSX) and fetch row reports."""

    serializer_class = ImportBatchOutputSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[ImportBatch]:
        # A registrar sees the batches they uploaded; nobody else sees any.
        user = self.request.user
        if not user.is_authenticated or user.role != Role.REGISTRAR:
            return ImportBatch.objects.none()
        return ImportBatch.objects.filter(uploaded_by=user).select_related("uploaded_by")

    @extend_schema(request=ImportBatchInputSerializer, responses={201: ImportBatchOutputSerializer})
    def create(self, request: Request) -> Response:
        user = cast(User, request.user)  # IsAuthenticated passed: a User
        if user.role != Role.REGISTRAR:
            raise NotPermitted(_("只有登记机关工作人员可以批量导入。"))
        data = _validated(ImportBatchInputSerializer, request.data)
        upload = data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise DomainError.single(
                "file_too_large", _("文件过大（上限10MB），请分批导入。"), "file"
            )
        batch = import_registrations(actor=user, file_name=upload.name, content=upload.read())
        return Response(self.get_serializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="行报告 CSV")}
    )
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk: str | None = None) -> HttpResponse:
        """One line per row not imported (错误 or 已存在，跳过), UTF-8 with BOM."""
        batch = self.get_object()
        response = HttpResponse(
            "\ufeff" + batch.error_report, content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-report.csv"'
        return response


def _validated(
    serializer_class: type[serializers.Serializer[Any]], data: Any, partial: bool = False
) -> dict[str, Any]:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _own_institution(request: AuthenticatedRequest, pk: int) -> Institution:
    """An operator may attach a new application only to an institution they belong to."""
    institution = Institution.objects.visible_to(request.user).filter(pk=pk).first()
    if institution is None or request.user.role != Role.OPERATOR:
        raise serializers.ValidationError(
            {"institution": [_("机构不存在或不属于您。")]}, code="does_not_exist"
        )
    return institution
