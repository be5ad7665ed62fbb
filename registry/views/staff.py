"""Operator and reviewer pages: staff roster, change filings, deregistration, ban register."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.forms.bans import BanCorrectForm, BanForm
from registry.forms.changes import ChangeDocumentForm, ChangeForm, DeregisterForm, ReviewForm
from registry.forms.staff import StaffAddForm, StaffEditForm
from registry.models import Ban, BanAlert, Filing, FilingChange, StaffMember
from registry.services import bans as ban_services
from registry.services import changes as change_services
from registry.services import staff as staff_services
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.http import AuthenticatedHttpRequest
from tuoyu_portal.identifiers import id_number_warnings
from tuoyu_portal.regions import rules


def _add_errors(form: forms.Form, error: DomainError) -> None:
    """Show each broken rule next to its field (or at the top when it has none)."""
    for violation in error.violations:
        field = violation.field if violation.field in form.fields else None
        form.add_error(field, str(violation.message))


def _filing_for(request: AuthenticatedHttpRequest, pk: int) -> Filing:
    return get_object_or_404(
        Filing.objects.visible_to(request.user).select_related("institution"), pk=pk
    )


@login_required
def staff_roster(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The institution's roster with masked IDs; operators add, edit and end employment."""
    filing = _filing_for(request, pk)
    is_operator = request.user.role == Role.OPERATOR
    form = StaffAddForm(request.POST or None)
    if request.method == "POST":
        if not is_operator:
            raise PermissionDenied
        if form.is_valid():
            try:
                member = staff_services.add_staff_member(
                    filing.institution, actor=request.user, data=form.cleaned_data
                )
            except DomainError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("已添加工作人员。"))
                for warning in id_number_warnings(
                    member.id_masked, document_type=member.id_document_type
                ):
                    messages.warning(request, str(warning.message))
                return redirect("staff-roster", pk=filing.pk)
    today = timezone.localdate()
    window = int(rules.value_for("notify_expiry_days", filing.institution.region_id, today))
    rows = []
    for member in StaffMember.objects.filter(institution=filing.institution).order_by(
        "-active", "name"
    ):
        expires = member.health_certificate_expires
        rows.append(
            {
                "member": member,
                "expiring": member.active
                and expires is not None
                and (expires - today).days <= window,
            }
        )
    return render(
        request,
        "registry/staff/roster.html",
        {"filing": filing, "rows": rows, "form": form, "is_operator": is_operator},
    )


@login_required
def staff_edit(request: AuthenticatedHttpRequest, pk: int, staff_id: int) -> HttpResponse:
    filing = _filing_for(request, pk)
    member = get_object_or_404(StaffMember, institution=filing.institution, pk=staff_id)
    if request.user.role != Role.OPERATOR:
        raise PermissionDenied
    initial = {f: getattr(member, f) for f in StaffEditForm.base_fields}
    form = StaffEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        try:
            if "end" in request.POST:
                staff_services.end_employment(member, actor=request.user)
                messages.success(request, _("已办理离职。"))
                return redirect("staff-roster", pk=filing.pk)
            if form.is_valid():
                staff_services.update_staff_member(
                    member, actor=request.user, data=form.cleaned_data
                )
                messages.success(request, _("已保存。"))
                return redirect("staff-roster", pk=filing.pk)
        except DomainError as error:
            _add_errors(form, error)
    return render(
        request,
        "registry/staff/staff_edit.html",
        {"filing": filing, "member": member, "form": form},
    )


@login_required
def filing_changes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Change filings in the user's jurisdiction; operators see their filings to start one."""
    changes = FilingChange.objects.visible_to(request.user).select_related("filing__institution")[
        :200
    ]
    filings = (
        Filing.objects.visible_to(request.user)
        .filter(status__in=change_services.CHANGEABLE_FILING_STATUSES)
        .select_related("institution")[:50]
        if request.user.role in (Role.OPERATOR, Role.HEALTH_REVIEWER)
        else []
    )
    return render(
        request,
        "registry/changes/changes.html",
        {"changes": changes, "filings": filings, "is_operator": request.user.role == Role.OPERATOR},
    )


@login_required
def filing_change_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    filing = _filing_for(request, pk)
    form = ChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = change_services.create_change(
                filing,
                actor=request.user,
                proposed=form.proposed(),
                reason=form.cleaned_data["reason"],
                person_in_charge_id_number=form.cleaned_data["person_in_charge_id_number"],
            )
        except DomainError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已保存变更草稿，请核对后提交。"))
            return redirect("filing-change-detail", pk=change.pk)
    return render(request, "registry/changes/change_form.html", {"filing": filing, "form": form})


@login_required
def filing_change_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Operator submits; the county reviewer accepts, asks for supplements or rejects."""
    change = get_object_or_404(
        FilingChange.objects.visible_to(request.user).select_related("filing__institution"), pk=pk
    )
    form = ReviewForm(request.POST or None)
    upload_form = ChangeDocumentForm()
    if request.method == "POST" and request.POST.get("action") == "upload":
        # A material for the change (new site, new person in charge): its own small form.
        upload_form = ChangeDocumentForm(request.POST, request.FILES)
        form = ReviewForm()
        if upload_form.is_valid():
            try:
                change_services.add_change_document(
                    change,
                    actor=request.user,
                    kind=upload_form.cleaned_data["kind"],
                    upload=upload_form.cleaned_data["file"],
                )
            except DomainError as error:
                _add_errors(upload_form, error)
            else:
                messages.success(request, _("材料已上传。"))
                return redirect("filing-change-detail", pk=change.pk)
    elif request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"]
        action = request.POST.get("action")
        calls: dict[str, Any] = {
            "submit": lambda: change_services.submit_change(change, actor=request.user),
            "accept": lambda: change_services.accept_change(change, actor=request.user, note=note),
            "request_supplement": lambda: change_services.request_change_supplement(
                change, actor=request.user, note=note
            ),
            "reject": lambda: change_services.reject_change(
                change, actor=request.user, reason=note
            ),
        }
        if action not in calls:
            raise Http404
        try:
            calls[action]()
        except DomainError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("操作成功。"))
            return redirect("filing-change-detail", pk=change.pk)
    return render(
        request,
        "registry/changes/change_detail.html",
        {
            "change": change,
            "form": form,
            "upload_form": upload_form,
            "proposed_rows": change_services.proposed_rows(change),
            "documents": change.documents.all(),
            "missing_materials": change_services.missing_change_materials(change),
            "clocks": change_services.change_clocks(change),
            # The buttons follow the transition table: a draft or a change sent back may be
            # submitted (and take materials); only a submitted one may be decided.
            "can_submit": request.user.role == Role.OPERATOR
            and change.can_become(FilingChange.Status.SUBMITTED),
            "can_decide": request.user.role == Role.HEALTH_REVIEWER
            and change.can_become(FilingChange.Status.ACCEPTED),
            "history": change.transitions.all(),
        },
    )


@login_required
def filing_deregister(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    filing = _filing_for(request, pk)
    form = DeregisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change_services.deregister_filing(filing, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("备案已注销。"))
            return redirect("filing-changes")
    return render(
        request,
        "registry/changes/deregister.html",
        {"filing": filing, "form": form, "is_operator": request.user.role == Role.OPERATOR},
    )


@login_required
def ban_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Health reviewers: the national register (masked), additions, corrections, alerts."""
    if request.user.role != Role.HEALTH_REVIEWER:
        raise PermissionDenied
    if request.method == "POST" and "seen" in request.POST:
        alert = get_object_or_404(
            BanAlert.objects.visible_to(request.user), pk=request.POST.get("seen")
        )
        ban_services.mark_alert_seen(alert, actor=request.user)
        return redirect("ban-register")
    form = BanForm(request.POST if "add" in request.POST else None)
    if request.method == "POST" and "add" in request.POST and form.is_valid():
        try:
            ban = ban_services.create_ban(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已列入禁入名单。"))
            for warning in id_number_warnings(ban.id_masked, document_type=ban.id_document_type):
                messages.warning(request, str(warning.message))
            return redirect("ban-register")
    alerts = BanAlert.objects.visible_to(request.user).select_related(
        "ban", "institution", "region"
    )[:50]
    bans = Ban.objects.order_by("-id")[:200]
    return render(
        request,
        "registry/bans/bans.html",
        {"form": form, "bans": bans, "alerts": alerts},
    )


@login_required
def ban_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if request.user.role != Role.HEALTH_REVIEWER:
        raise PermissionDenied
    ban = get_object_or_404(Ban, pk=pk)
    form = BanCorrectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes: dict[str, Any] = {
            key: data[key] for key in ("legal_basis", "decision_ref") if data[key]
        }
        if data["lift"]:
            changes["active"] = False
        try:
            ban_services.correct_ban(
                ban, actor=request.user, changes=changes, reason=data["reason"]
            )
        except DomainError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("更正已记录。"))
            return redirect("ban-register")
    return render(
        request,
        "registry/bans/ban_correct.html",
        {"ban": ban, "form": form, "corrections": ban.corrections.select_related("actor")},
    )
