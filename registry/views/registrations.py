"""Registration pages: operators fill in and submit, registrars work their queue.

Same pattern as the API (style.md §7): look up through `visible_to` (404 outside jurisdiction),
form validates → one service → redirect with a message; a DomainError is shown next to fields.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registry.forms.registrations import (
    ApproveForm,
    MemberForm,
    ReasonForm,
    RegistrationForm,
    add_domain_errors,
)
from registry.models import (
    CareMode,
    Filing,
    Institution,
    Registration,
    RegistrationStatus,
    RegistrationTransition,
)
from registry.selectors import waiting
from registry.services import registrations as services
from registry.services.changes import CHANGEABLE_FILING_STATUSES
from tuoyu_portal.accounts.models import Membership, Role
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.http import AuthenticatedHttpRequest

# Queue page length; the page is oldest first, so what is left waits for the next visit.
QUEUE_PAGE_SIZE = 100

DECISIONS: dict[str, tuple[type, Any]] = {
    "approve": (ApproveForm, services.approve_registration),
    "return": (ReasonForm, services.return_registration),
    "reject": (ReasonForm, services.reject_registration),
    "cancel": (ReasonForm, services.cancel_registration),
}
DECISION_TARGET: dict[str, str] = {
    "approve": RegistrationStatus.APPROVED,
    "return": RegistrationStatus.RETURNED,
    "reject": RegistrationStatus.REJECTED,
    "cancel": RegistrationStatus.CANCELLED,
}


def _require_role(request: AuthenticatedHttpRequest, role: str) -> None:
    if request.user.role != role:
        raise PermissionDenied


def _registration(request: AuthenticatedHttpRequest, pk: int) -> Registration:
    return get_object_or_404(
        Registration.objects.visible_to(request.user)
        .select_related("region", "institution")
        .prefetch_related(
            Prefetch("transitions", queryset=RegistrationTransition.objects.select_related("actor"))
        ),
        pk=pk,
    )


@login_required
def operator_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What waits for me (unread notifications, my pending actions), then my institutions and
    registrations, each with its status and what to do next."""
    _require_role(request, Role.OPERATOR)
    user = request.user
    registrations = (
        Registration.objects.visible_to(user)
        .select_related("institution", "region")
        .order_by("-id")
    )
    rows = [(reg, services.next_step(reg, user)) for reg in registrations]
    owned = set(
        Membership.objects.filter(user=user, is_owner=True).values_list("institution_id", flat=True)
    )
    institutions = Institution.objects.visible_to(user).order_by("id")
    filings = Filing.objects.visible_to(user).select_related("institution").order_by("-id")
    # What each filing offers follows the workflow, not a list of statuses: editing while the
    # operator may edit, changes and the staff roster once filed, deregistration while allowed.
    filing_rows = [
        (
            filing,
            {
                "edit": filing.is_editable,
                "change": filing.status in CHANGEABLE_FILING_STATUSES,
                "deregister": filing.can_become(Filing.Status.DEREGISTERED),
            },
        )
        for filing in filings
    ]
    can_file = registrations.filter(status=Registration.Status.APPROVED).exists()
    filing_list = list(filings)
    return render(
        request,
        "registry/registrations/operator_home.html",
        {
            "actions": waiting.operator_actions([reg for reg, _step in rows], filing_list),
            "rows": rows,
            "institutions": institutions,
            "owned": owned,
            "filings": filing_rows,
            "can_file": can_file,
        },
    )


@login_required
def registration_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_role(request, Role.OPERATOR)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reg = services.create_registration(actor=request.user, data=form.service_data())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("登记申请已保存为草稿，请核对后提交。"))
            return redirect("registration-detail", pk=reg.pk)
    return render(
        request,
        "registry/registrations/form.html",
        {"form": form, "title": _("新建登记申请")},
        status=400 if form.errors else 200,
    )


@login_required
def registration_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_role(request, Role.OPERATOR)
    reg = _registration(request, pk)
    if reg.status not in Registration.EDITABLE:
        messages.error(request, _("只有草稿或已退回的申请可以修改。"))
        return redirect("registration-detail", pk=reg.pk)
    initial = {
        "name": reg.name,
        "legal_nature": reg.legal_nature,
        "care_modes": reg.care_modes,
        "business_scope": reg.business_scope,
        "region": reg.region_id,
        "address": reg.address,
        "legal_representative_name": reg.legal_representative_name,
        "contact_phone": reg.contact_phone,
        "credit_code": reg.credit_code,
    }
    form = RegistrationForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_registration(reg, actor=request.user, data=form.service_data())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("修改已保存。"))
            return redirect("registration-detail", pk=reg.pk)
    return render(
        request,
        "registry/registrations/form.html",
        {"form": form, "title": _("修改登记申请"), "registration": reg},
        status=400 if form.errors else 200,
    )


def _detail_context(
    request: AuthenticatedHttpRequest, reg: Registration, **forms: Any
) -> dict[str, Any]:
    user = request.user
    is_registrar = user.role == Role.REGISTRAR
    decisions = []
    if is_registrar:
        for name, (form_class, _service) in DECISIONS.items():
            if reg.can_become(DECISION_TARGET[name]):
                initial = {"credit_code": reg.credit_code} if name == "approve" else None
                form = forms.get(name) or form_class(initial=initial, prefix=name)
                decisions.append({"name": name, "form": form})
    is_member = (
        user.role == Role.OPERATOR
        and Membership.objects.filter(institution_id=reg.institution_id, user=user).exists()
    )
    history = list(reg.transitions.all())
    latest_return = next(
        (t.reason for t in reversed(history) if t.to_status == RegistrationStatus.RETURNED), ""
    )
    return {
        "registration": reg,
        "care_modes": [str(CareMode(m).label) for m in reg.care_modes if m in CareMode.values],
        # The operator acts on the latest return's reasons; show them beside the next step.
        "return_reason": latest_return if reg.status == RegistrationStatus.RETURNED else "",
        "history": [
            {
                "created_at": t.created_at,
                "actor": t.actor,
                "from_label": _status_label(t.from_status),
                "to_status": t.to_status,
                "to_label": _status_label(t.to_status),
                "reason": t.reason,
            }
            for t in history
        ],
        "next_step": services.next_step(reg, user),
        "warnings": services.registration_warnings(reg),
        "can_edit": is_member and reg.status in Registration.EDITABLE,
        "can_submit": is_member and reg.can_become(RegistrationStatus.SUBMITTED),
        "is_registrar": is_registrar,
        "decisions": decisions,
        "submit_errors": forms.get("submit_errors", []),
    }


@login_required
def registration_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The application, its history timeline and what to do next (operators and registrars)."""
    reg = _registration(request, pk)
    return render(request, "registry/registrations/detail.html", _detail_context(request, reg))


@login_required
@require_POST
def registration_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reg = _registration(request, pk)
    try:
        services.submit_registration(reg, actor=request.user)
    except DomainError as exc:
        context = _detail_context(request, reg, submit_errors=exc.violations)
        return render(
            request, "registry/registrations/detail.html", context, status=exc.status_code
        )
    messages.success(request, _("申请已提交至登记机关。"))
    return redirect("registration-detail", pk=reg.pk)


@login_required
def registrar_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Applications routed to this registrar's authority in their region, oldest first."""
    _require_role(request, Role.REGISTRAR)
    status = request.GET.get("status") or RegistrationStatus.SUBMITTED
    if status not in RegistrationStatus.values:
        status = RegistrationStatus.SUBMITTED
    qs = Registration.objects.visible_to(request.user).select_related("region")
    if status == RegistrationStatus.SUBMITTED:
        qs = qs.queue()
    else:
        qs = qs.filter(status=status).order_by("-decided_at", "-id")
    now = timezone.now()
    rows = [
        (reg, (now - reg.submitted_at).days if reg.submitted_at else None)
        for reg in qs[:QUEUE_PAGE_SIZE]
    ]
    return render(
        request,
        "registry/registrations/queue.html",
        {
            "rows": rows,
            "status": status,
            "statuses": RegistrationStatus.choices,
            "page_size": QUEUE_PAGE_SIZE,
        },
    )


@login_required
@require_POST
def registrar_decide(request: AuthenticatedHttpRequest, pk: int, decision: str) -> HttpResponse:
    """approve / return / reject / cancel: form → service → redirect, errors next to fields."""
    _require_role(request, Role.REGISTRAR)
    if decision not in DECISIONS:
        raise PermissionDenied
    reg = _registration(request, pk)
    form_class, service = DECISIONS[decision]
    form = form_class(request.POST, prefix=decision)
    if form.is_valid():
        try:
            if decision == "approve":
                service(
                    reg, actor=request.user, credit_code=form.cleaned_data["credit_code"] or None
                )
            else:
                service(reg, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
            context = _detail_context(request, reg, **{decision: form})
            return render(
                request, "registry/registrations/detail.html", context, status=exc.status_code
            )
        messages.success(request, _("已办理：%(status)s。") % {"status": _label(decision)})
        return redirect("registrar-queue")
    context = _detail_context(request, reg, **{decision: form})
    return render(request, "registry/registrations/detail.html", context, status=400)


def _status_label(value: str) -> str:
    """People read 已退回修改, not `returned` (history rows store the code)."""
    return str(RegistrationStatus(value).label) if value in RegistrationStatus.values else ""


def _label(decision: str) -> str:
    return str(RegistrationStatus(DECISION_TARGET[decision]).label)


@login_required
def institution_members(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The owner sees the institution's operator accounts and adds colleagues."""
    _require_role(request, Role.OPERATOR)
    institution = get_object_or_404(
        Institution.objects.visible_to(request.user),
        pk=pk,
    )
    is_owner = Membership.objects.filter(
        institution=institution, user=request.user, is_owner=True
    ).exists()
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.add_colleague(
                    institution,
                    actor=request.user,
                    username=form.cleaned_data["username"],
                )
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("已添加同事。"))
                return redirect("institution-members", pk=institution.pk)
    members = institution.memberships.select_related("user").order_by("-is_owner", "id")
    return render(
        request,
        "registry/registrations/members.html",
        {"institution": institution, "members": members, "form": form, "is_owner": is_owner},
        status=400 if form.errors else 200,
    )
