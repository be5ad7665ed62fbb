"""Registration pages: the operator's home and application, the registrar's queue, decisions,
bulk import, and the owner's members page. Each POST: form → service → redirect with a message
(style.md §7); rule messages appear next to their fields."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from registry.imports import COLUMN_HELP, COLUMNS, template_csv
from registry.models import (
    CareMode,
    ImportBatch,
    Institution,
    Membership,
    Registration,
    RegistrationStatus,
)
from registry.registration_forms import (
    ApproveForm,
    ImportForm,
    MemberForm,
    ReasonForm,
    RegistrationForm,
    add_domain_errors,
)
from registry.services import registrations as services
from registry.services.imports import import_registrations
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import DomainError

# Upload ceiling for the import page: ~10 000 rows of CSV fit in well under this.
IMPORT_MAX_BYTES = 10 * 1024 * 1024
# How many queue rows one page shows; the API pages further with a cursor.
QUEUE_PAGE = 200


def _require(request: HttpRequest, role: str) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_role(role):
        raise PermissionDenied
    return user


def _registration(request: HttpRequest, pk: int) -> Registration:
    # visible_to is the only lookup path: anything outside the viewer's jurisdiction is a 404.
    return get_object_or_404(
        Registration.objects.visible_to(request.user).select_related("region", "institution"),
        pk=pk,
    )


def _care_modes(reg: Registration) -> str:
    labels = dict(CareMode.choices)
    return "、".join(str(labels.get(mode, mode)) for mode in reg.care_modes)


def _history(reg: Registration) -> list[dict[str, Any]]:
    labels = dict(RegistrationStatus.choices)
    return [
        {
            "from": labels.get(t.from_status, ""),
            "to": labels.get(t.to_status, t.to_status),
            "actor": t.actor,
            "reason": t.reason,
            "at": t.created_at,
        }
        for t in reg.transitions.select_related("actor")
    ]


# --- operator ----------------------------------------------------------------------------------


@login_required
def operator_home(request: HttpRequest) -> HttpResponse:
    """My institutions and their registrations, each with its status and what to do next."""
    user = _require(request, Role.OPERATOR)
    registrations = Registration.objects.visible_to(user).order_by("-id")
    institutions = (
        Institution.objects.visible_to(user)
        .prefetch_related(Prefetch("registrations", queryset=registrations))
        .order_by("-id")
    )
    owned = set(
        Membership.objects.filter(user=user, is_owner=True).values_list("institution_id", flat=True)
    )
    rows = [
        {
            "institution": institution,
            "is_owner": institution.pk in owned,
            "registrations": [
                {"reg": reg, "next_step": services.next_step(reg, user)}
                for reg in institution.registrations.all()
            ],
        }
        for institution in institutions
    ]
    return render(request, "registry/registrations/operator_home.html", {"rows": rows})


@login_required
def registration_create(request: HttpRequest) -> HttpResponse:
    user = _require(request, Role.OPERATOR)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reg = services.create_registration(actor=user, data=form.service_data())
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("登记申请已保存为草稿。核对无误后请提交。"))
            return redirect("registration-detail", pk=reg.pk)
    return render(request, "registry/registrations/form.html", {"form": form, "registration": None})


@login_required
def registration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request, Role.OPERATOR)
    reg = _registration(request, pk)
    if reg.status not in Registration.EDITABLE:
        messages.error(request, _("当前状态不能修改。"))
        return redirect("registration-detail", pk=reg.pk)
    form = RegistrationForm(request.POST or None, registration=reg)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_registration(reg, actor=user, data=form.service_data())
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("已保存修改。"))
            return redirect("registration-detail", pk=reg.pk)
    return render(request, "registry/registrations/form.html", {"form": form, "registration": reg})


@login_required
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The application with its history timeline and what to do next."""
    user = _require(request, Role.OPERATOR)
    reg = _registration(request, pk)
    return render(
        request,
        "registry/registrations/detail.html",
        {
            "reg": reg,
            "history": _history(reg),
            "care_modes": _care_modes(reg),
            "next_step": services.next_step(reg, user),
            "warnings": services.registration_warnings(reg),
            "can_edit": reg.status in Registration.EDITABLE,
            "can_submit": reg.can_become(RegistrationStatus.SUBMITTED),
        },
    )


@login_required
@require_POST
def registration_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request, Role.OPERATOR)
    reg = _registration(request, pk)
    try:
        services.submit_registration(reg, actor=user)
    except DomainError as error:
        for violation in error.violations:
            messages.error(request, violation.message)
    else:
        messages.success(request, _("已提交至登记机关，请等待审核。"))
    return redirect("registration-detail", pk=reg.pk)


@login_required
def institution_members(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner adds colleagues' accounts; every member sees the list."""
    user = _require(request, Role.OPERATOR)
    institution = get_object_or_404(Institution.objects.visible_to(user), pk=pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_colleague(institution, actor=user, username=form.cleaned_data["username"])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("已添加同事。"))
            return redirect("institution-members", pk=institution.pk)
    members = institution.memberships.select_related("user").order_by("-is_owner", "id")
    is_owner = any(m.user_id == user.pk and m.is_owner for m in members)
    return render(
        request,
        "registry/registrations/members.html",
        {"institution": institution, "members": members, "form": form, "is_owner": is_owner},
    )


# --- registrar ---------------------------------------------------------------------------------


@login_required
def registrar_queue(request: HttpRequest) -> HttpResponse:
    """Applications routed to this registrar's authority in their region, oldest first."""
    user = _require(request, Role.REGISTRAR)
    today = timezone.localdate()
    queue = list(
        Registration.objects.visible_to(user).queue().select_related("region")[:QUEUE_PAGE]
    )
    rows = [
        {"reg": reg, "days_waiting": (today - timezone.localdate(reg.submitted_at)).days}
        for reg in queue
        if reg.submitted_at
    ]
    recent = (
        Registration.objects.visible_to(user)
        .exclude(status__in=[RegistrationStatus.SUBMITTED, RegistrationStatus.DRAFT])
        .order_by("-decided_at", "-id")[:20]
    )
    return render(
        request,
        "registry/registrations/queue.html",
        {"rows": rows, "recent": recent, "limit": QUEUE_PAGE},
    )


DECISIONS = ("approve", "return", "reject", "cancel")


@login_required
def registrar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request, Role.REGISTRAR)
    reg = _registration(request, pk)
    return _render_registrar_detail(request, reg, user, {})


def _render_registrar_detail(
    request: HttpRequest, reg: Registration, user: User, bound: dict[str, Any]
) -> HttpResponse:
    forms_by_action: dict[str, Any] = {
        "approve": ApproveForm(initial={"credit_code": reg.credit_code}),
        "return": ReasonForm(prefix="return"),
        "reject": ReasonForm(prefix="reject"),
        "cancel": ReasonForm(prefix="cancel"),
    }
    forms_by_action.update(bound)
    allowed = {
        "approve": reg.can_become(RegistrationStatus.APPROVED),
        "return": reg.can_become(RegistrationStatus.RETURNED),
        "reject": reg.can_become(RegistrationStatus.REJECTED),
        "cancel": reg.can_become(RegistrationStatus.CANCELLED),
    }
    return render(
        request,
        "registry/registrations/registrar_detail.html",
        {
            "reg": reg,
            "history": _history(reg),
            "care_modes": _care_modes(reg),
            "next_step": services.next_step(reg, user),
            "warnings": services.registration_warnings(reg),
            "forms": forms_by_action,
            "allowed": allowed,
        },
        status=400 if bound else 200,
    )


@login_required
@require_POST
def registrar_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _require(request, Role.REGISTRAR)
    reg = _registration(request, pk)
    if action not in DECISIONS:
        raise PermissionDenied
    form: ApproveForm | ReasonForm
    if action == "approve":
        form = ApproveForm(request.POST)
    else:
        form = ReasonForm(request.POST, prefix=action)
    if form.is_valid():
        try:
            if action == "approve":
                services.approve_registration(
                    reg, actor=user, credit_code=form.cleaned_data["credit_code"] or None
                )
            elif action == "return":
                services.return_registration(reg, actor=user, reason=form.cleaned_data["reason"])
            elif action == "reject":
                services.reject_registration(reg, actor=user, reason=form.cleaned_data["reason"])
            else:
                services.cancel_registration(reg, actor=user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            done = {
                "approve": _("已准予登记，并已推送至县卫生健康部门。"),
                "return": _("已退回举办者修改。"),
                "reject": _("已作出不予登记决定。"),
                "cancel": _("已注销登记，并已推送至县卫生健康部门。"),
            }
            messages.success(request, done[action])
            return redirect("registrar-detail", pk=reg.pk)
    reg.refresh_from_db()
    return _render_registrar_detail(request, reg, user, {action: form})


@login_required
def registrar_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV/XLSX of institutions registered elsewhere; see the result and past batches."""
    user = _require(request, Role.REGISTRAR)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            form.add_error("file", _("文件过大（上限10MB），请分批导入。"))
        else:
            try:
                batch = import_registrations(
                    actor=user, file_name=upload.name, content=upload.read()
                )
            except DomainError as error:
                add_domain_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "导入完成：共%(total)s行，导入并推送%(ok)s行，已存在跳过%(skip)s行，错误%(err)s行。"
                    )
                    % {
                        "total": batch.total_rows,
                        "ok": batch.approved_count,
                        "skip": batch.skipped_count,
                        "err": batch.error_count,
                    },
                )
                return redirect("registrar-import")
    batches = ImportBatch.objects.filter(uploaded_by=user).order_by("-id")[:20]
    columns = [{"name": name, "help": COLUMN_HELP[name]} for name in COLUMNS]
    return render(
        request,
        "registry/registrations/import.html",
        {"form": form, "batches": batches, "columns": columns},
    )


@login_required
def registrar_import_template(request: HttpRequest) -> HttpResponse:
    _require(request, Role.REGISTRAR)
    response = HttpResponse("\ufeff" + template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="registration-import-template.csv"'
    return response


@login_required
def registrar_import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The per-row error report of one of the registrar's own batches."""
    user = _require(request, Role.REGISTRAR)
    batch = get_object_or_404(ImportBatch, pk=pk, uploaded_by=user)
    response = HttpResponse("\ufeff" + batch.error_report, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.csv"'
    return response
