"""Filing pages: the operator wizard, readiness and detail; the reviewer queue and review page.

Thin views (style.md §7): form validates → one service → redirect with a message. Lookups go
through `visible_to`, so another county's or operator's filing is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from registry.forms.filings import (
    FIELD_LABELS,
    DocumentUploadForm,
    FilingClassFormSet,
    FilingDraftForm,
    NonconformingForm,
    SupplementForm,
    classes_from,
)
from registry.materials import MATERIALS_BY_KIND
from registry.models import (
    Filing,
    FilingStatus,
    Registration,
    RegistrationStatus,
    SupplementRequest,
)
from registry.selectors import filings as filing_selectors
from registry.services import changes as change_services
from registry.services import filing_documents
from registry.services import filings as svc
from registry.services.vacancies import OPEN_FOR_VACANCIES
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.http import AuthenticatedHttpRequest


def _operator_filing(request: AuthenticatedHttpRequest, pk: int) -> Filing:
    if request.user.role != Role.OPERATOR:
        raise PermissionDenied
    return get_object_or_404(
        Filing.objects.visible_to(request.user).select_related(
            "institution", "registration", "region"
        ),
        pk=pk,
    )


def _reviewer_filing(request: AuthenticatedHttpRequest, pk: int) -> Filing:
    if request.user.role not in (Role.HEALTH_REVIEWER, Role.SUPERVISOR):
        raise PermissionDenied
    return get_object_or_404(
        Filing.objects.visible_to(request.user).select_related(
            "institution", "registration", "region"
        ),
        pk=pk,
    )


def _error_messages(request: HttpRequest, error: DomainError) -> None:
    for violation in error.violations:
        messages.error(request, f"{violation.message}")


def _attach(form: Any, error: DomainError) -> None:
    """Put each violation next to its field where the form has one; the rest on top."""
    for violation in error.violations:
        name = (violation.field or "").split("[")[0].split(".")[0]
        if name == "staff":
            name = "staff_caregivers"
        form.add_error(name if name in form.fields else None, str(violation.message))


def _context(filing: Filing) -> dict[str, Any]:
    open_request = SupplementRequest.objects.filter(filing=filing).order_by("-id").first()
    items = []
    if open_request:
        for entry in open_request.items:
            key = entry.get("item", "")
            material = MATERIALS_BY_KIND.get(key)
            items.append(
                {
                    "item": key,
                    "label": material.label if material else FIELD_LABELS.get(key, key),
                    "note": entry.get("note", ""),
                }
            )
    return {
        "filing": filing,
        "clocks": filing_selectors.clocks(filing),
        "documents": filing.documents.order_by("kind", "id"),
        "supplement": open_request,
        "supplement_items": items,
        "history": filing.transitions.select_related("actor"),
        "classes": filing.classes.all(),
        "receipt_available": filing.status in Filing.PUBLIC_STATUSES and bool(filing.filing_number),
        "vacancies_open": filing.status in OPEN_FOR_VACANCIES,
    }


# ---------------------------------------------------------------------------------------------
# Operator


@login_required
@require_http_methods(["GET", "POST"])
def filing_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the operator's approved registrations and open a filing for one of them."""
    if request.user.role != Role.OPERATOR:
        raise PermissionDenied
    registrations = (
        Registration.objects.visible_to(request.user)
        .filter(status=RegistrationStatus.APPROVED)
        .select_related("institution")
    )
    filings = Filing.objects.visible_to(request.user).select_related("institution").order_by("-id")
    if request.method == "POST":
        registration = get_object_or_404(registrations, pk=request.POST.get("registration") or 0)
        existing = (
            filings.filter(institution=registration.institution)
            .exclude(status=FilingStatus.DEREGISTERED)
            .first()
        )
        if existing:
            return redirect(
                "filing-edit" if existing.is_editable else "filing-detail",
                pk=existing.pk,
            )
        try:
            filing = svc.create_filing(actor=request.user, registration=registration, data={})
        except DomainError as error:
            _error_messages(request, error)
            return redirect("filing-start")
        messages.success(request, _("已创建备案草稿，可随时保存，退出后再继续填写。"))
        return redirect("filing-edit", pk=filing.pk)
    filed_institutions = set(
        filings.exclude(status=FilingStatus.DEREGISTERED).values_list("institution_id", flat=True)
    )
    return render(
        request,
        "registry/filings/start.html",
        {
            "registrations": [
                r for r in registrations if r.institution_id not in filed_institutions
            ],
            "filings": filings,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def filing_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The 备案书 wizard; every 保存草稿 stores the partial data on the server."""
    filing = _operator_filing(request, pk)
    if not filing.is_editable:
        return redirect("filing-detail", pk=filing.pk)
    upload_form = DocumentUploadForm()
    if request.method == "POST" and request.POST.get("form") == "upload":
        upload_form = DocumentUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            try:
                filing_documents.add_document(
                    filing,
                    actor=request.user,
                    kind=upload_form.cleaned_data["kind"],
                    upload=upload_form.cleaned_data["file"],
                )
            except DomainError as error:
                _attach(upload_form, error)
            else:
                messages.success(request, _("材料已上传。"))
                return redirect(f"{request.path}#materials")
        form = FilingDraftForm(initial=FilingDraftForm.initial_for(filing))
        formset = FilingClassFormSet(prefix="classes", initial=_class_initial(filing))
    elif request.method == "POST":
        form = FilingDraftForm(request.POST)
        formset = FilingClassFormSet(request.POST, prefix="classes")
        if form.is_valid() and formset.is_valid():
            data = form.to_service_data()
            data["classes"] = classes_from(formset)
            try:
                svc.update_filing_draft(filing, actor=request.user, data=data)
            except DomainError as error:
                _attach(form, error)
            else:
                messages.success(request, _("草稿已保存。"))
                if request.POST.get("next") == "readiness":
                    return redirect("filing-readiness", pk=filing.pk)
                return redirect("filing-edit", pk=filing.pk)
    else:
        form = FilingDraftForm(initial=FilingDraftForm.initial_for(filing))
        formset = FilingClassFormSet(prefix="classes", initial=_class_initial(filing))
    context = _context(filing)
    context.update({"form": form, "formset": formset, "upload_form": upload_form})
    return render(request, "registry/filings/edit.html", context)


def _class_initial(filing: Filing) -> list[dict[str, Any]]:
    return [
        {
            "class_type": c.class_type,
            "children": c.children,
            "carers": c.carers,
            "min_age_months": c.min_age_months,
        }
        for c in filing.classes.all()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def filing_readiness(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The checklist before submission, and the submit button."""
    filing = _operator_filing(request, pk)
    errors: list[Any] = []
    if request.method == "POST":
        try:
            svc.submit_filing(filing, actor=request.user)
        except DomainError as error:
            errors = error.violations
        else:
            messages.success(request, _("备案材料已提交，卫生健康部门将在5个工作日内办理。"))
            return redirect("filing-detail", pk=filing.pk)
        filing.refresh_from_db()
    context = _context(filing)
    context.update({"readiness": filing_selectors.readiness(filing), "errors": errors})
    return render(request, "registry/filings/readiness.html", context)


@login_required
def filing_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Status, both clocks, the supplement request, history and the receipt for the operator."""
    filing = _operator_filing(request, pk)
    return render(request, "registry/filings/detail.html", _context(filing))


# ---------------------------------------------------------------------------------------------
# Reviewer


@login_required
def reviewer_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Submitted filings of the reviewer's county, oldest first, with both clocks."""
    if request.user.role not in (Role.HEALTH_REVIEWER, Role.SUPERVISOR):
        raise PermissionDenied
    today = timezone.localdate()
    queue = (
        Filing.objects.visible_to(request.user).review_queue().select_related("institution")[:200]
    )
    memo: dict[Any, int] = {}
    rows = [
        {"filing": f, "clocks": filing_selectors.clocks(f, today=today, memo=memo)} for f in queue
    ]
    waiting = (
        Filing.objects.visible_to(request.user)
        .filter(status=FilingStatus.SUPPLEMENT_REQUESTED)
        .select_related("institution")
        .order_by("received_at", "id")[:200]
    )
    recent = (
        Filing.objects.visible_to(request.user)
        .filter(status__in=Filing.PUBLIC_STATUSES)
        .select_related("institution")
        .order_by("-filed_on", "-id")[:50]
    )
    return render(
        request,
        "registry/filings/reviewer_queue.html",
        {
            "rows": rows,
            "waiting": waiting,
            "recent": recent,
            # Change filings run on the same clocks and are reviewed from the same queue.
            "change_rows": change_services.change_review_queue(request.user, today=today),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reviewer_filing(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One filing for the reviewer: facts, documents, standards check, and the four actions."""
    filing = _reviewer_filing(request, pk)
    supplement_form = SupplementForm()
    nonconforming_form = NonconformingForm()
    if request.method == "POST":
        if request.user.role != Role.HEALTH_REVIEWER:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "request-supplement":
                supplement_form = SupplementForm(request.POST)
                if supplement_form.is_valid():
                    svc.request_supplement(
                        filing,
                        actor=request.user,
                        items=supplement_form.items(),
                        note=supplement_form.cleaned_data["note"],
                    )
                    messages.success(request, _("已一次性告知需补正的全部事项。"))
                    return redirect("reviewer-filing", pk=filing.pk)
            elif action == "accept":
                filing = svc.accept_filing(filing, actor=request.user)
                messages.success(
                    request,
                    _("已予备案，备案编号 %(number)s。") % {"number": filing.filing_number},
                )
                return redirect("reviewer-filing", pk=filing.pk)
            elif action == "nonconforming":
                nonconforming_form = NonconformingForm(request.POST)
                if nonconforming_form.is_valid():
                    svc.mark_nonconforming(
                        filing, actor=request.user, reasons=nonconforming_form.reason_list()
                    )
                    messages.success(request, _("已告知不符合设置标准，原因将向社会公开。"))
                    return redirect("reviewer-filing", pk=filing.pk)
            elif action == "conforming":
                svc.mark_conforming(filing, actor=request.user)
                messages.success(request, _("已确认符合设置标准。"))
                return redirect("reviewer-filing", pk=filing.pk)
            else:
                raise Http404
        except DomainError as error:
            _error_messages(request, error)
            filing.refresh_from_db()
    context = _context(filing)
    context.update(
        {
            "standards": filing_selectors.standards_check(filing),
            "submission_problems": filing_selectors.run_submission_checks(filing),
            "supplement_form": supplement_form,
            "nonconforming_form": nonconforming_form,
            "can": {
                action: svc.can(filing, action)
                for action in ("supplement", "accept", "nonconforming", "conforming")
            },
        }
    )
    return render(request, "registry/filings/reviewer_filing.html", context)
