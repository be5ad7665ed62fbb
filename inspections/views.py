"""HTML pages: operators' findings, the county complaint queue and visit-due list, the public
complaint form and tracking page. Form → service → redirect with a message (style.md §7)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registry.models import Filing
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.http import AuthenticatedHttpRequest

from .forms import EnforcementReplyForm, PublicComplaintForm, RectifyForm, TriageForm
from .models import Complaint, EnforcementAction, Finding
from .services import complaints, enforcement, findings, risk


def _require(request: AuthenticatedHttpRequest, *roles: str) -> None:
    if request.user.role not in roles:
        raise PermissionDenied


def _form_errors(form: BaseForm, error: DomainError) -> None:
    for v in error.violations:
        field = v.field if v.field in form.fields else None
        form.add_error(field, str(v.message))


@login_required
def operator_findings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The operator's open findings with deadlines and a rectification form for each."""
    _require(request, Role.OPERATOR)
    today = timezone.localdate()
    unresolved = (
        Finding.objects.visible_to(request.user)
        .unresolved()
        .select_related("inspection", "institution")
        .order_by("deadline", "id")[:200]
    )
    penalties = list(
        EnforcementAction.objects.visible_to(request.user).select_related("institution")[:50]
    )
    # One form per card with its own ids (names stay the same): with one shared form every card
    # repeated id_note, so each label pointed at the first card's field.
    rows = list(unresolved)
    for finding in rows:
        finding.rectify_form = RectifyForm(auto_id=f"id_finding{finding.pk}_%s")  # type: ignore[attr-defined]  # per-card form for the template
    for action in penalties:
        action.reply_form = EnforcementReplyForm(auto_id=f"id_penalty{action.pk}_%s")  # type: ignore[attr-defined]  # per-card form for the template
    return render(
        request,
        "inspections/operator_findings.html",
        {
            "findings": rows,
            "today": today,
            "form": RectifyForm(),
            "penalties": penalties,
            "reply_form": EnforcementReplyForm(),
        },
    )


@login_required
@require_POST
def reply_enforcement(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The operator's right to reply, published next to the penalty."""
    _require(request, Role.OPERATOR)
    action = get_object_or_404(EnforcementAction.objects.visible_to(request.user), pk=pk)
    form = EnforcementReplyForm(request.POST)
    if form.is_valid():
        try:
            enforcement.reply_to_enforcement(
                action, actor=request.user, reply=form.cleaned_data["reply"]
            )
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("说明已提交，将与处罚信息一并公示。"))
            return redirect("operator-findings")
    return render(
        request,
        "inspections/operator_findings.html",
        {"findings": [], "today": timezone.localdate(), "form": RectifyForm(),
         "penalties": [action], "reply_form": form},
        status=400,
    )  # fmt: skip


@login_required
@require_POST
def rectify_finding(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(request, Role.OPERATOR)
    finding = get_object_or_404(Finding.objects.visible_to(request.user), pk=pk)
    form = RectifyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            upload = form.cleaned_data.get("evidence")
            findings.submit_rectification(
                finding,
                actor=request.user,
                note=form.cleaned_data["note"],
                evidence=[upload] if upload else [],
            )
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("整改报告已提交，等待检查人员核验。"))
            return redirect("operator-findings")
    today = timezone.localdate()
    return render(
        request,
        "inspections/operator_findings.html",
        {"findings": [finding], "today": today, "form": form, "form_for": finding.pk},
        status=400,
    )


@login_required
def complaint_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The county health bureau's complaint triage queue, oldest deadline first."""
    _require(request, Role.HEALTH_REVIEWER, Role.SUPERVISOR)
    rows = (
        Complaint.objects.visible_to(request.user)
        .exclude(status__in=Complaint.CLOSED)
        .select_related("filing", "institution")
        .order_by("due_on", "id")[:200]
    )
    return render(
        request,
        "inspections/complaint_queue.html",
        {"complaints": rows, "today": timezone.localdate(), "form": TriageForm()},
    )


@login_required
@require_POST
def triage(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(request, Role.HEALTH_REVIEWER)
    complaint = get_object_or_404(Complaint.objects.visible_to(request.user), pk=pk)
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            complaints.triage_complaint(complaint, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("投诉办理状态已更新。"))
            return redirect("complaint-queue")
    return render(
        request,
        "inspections/complaint_queue.html",
        {"complaints": [complaint], "today": timezone.localdate(), "form": form},
        status=400,
    )


@login_required
def inspection_due(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Institutions due for a visit in the caller's region, with the reasons of each score, and
    the findings escalated as overdue."""
    _require(request, Role.INSPECTOR, Role.HEALTH_REVIEWER, Role.SUPERVISOR)
    today = timezone.localdate()
    due = risk.due_for_visit(Filing.objects.visible_to(request.user), today)
    escalated = (
        Finding.objects.visible_to(request.user)
        .unresolved()
        .filter(escalated_at__isnull=False)
        .select_related("institution")[:100]
    )
    return render(
        request,
        "inspections/inspection_due.html",
        {"due": due, "escalated": escalated, "today": today},
    )


def public_complaint_new(request: HttpRequest) -> HttpResponse:
    """Anyone may complain; anonymous allowed. Answers with the tracking code."""
    if request.method == "POST":
        form = PublicComplaintForm(request.POST)
        if form.is_valid():
            try:
                complaint = complaints.submit_complaint(**form.cleaned_data)
            except DomainError as error:
                _form_errors(form, error)
            else:
                return redirect("public-complaint-track", tracking_code=complaint.tracking_code)
        status = 400
    else:
        form = PublicComplaintForm(initial={"facility": request.GET.get("facility", "")})
        status = 200
    return render(request, "inspections/public/complaint_new.html", {"form": form}, status=status)


def public_complaint_track(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """Status and public outcome; never the complainant's identity."""
    complaint = get_object_or_404(
        Complaint.objects.select_related("filing"), tracking_code=tracking_code.upper()
    )
    return render(request, "inspections/public/complaint_track.html", {"complaint": complaint})
