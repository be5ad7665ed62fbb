"""Subsidy pages: operators' claims, the officers' queue and payment batches.

Views are thin: form → service → redirect with a message; DomainError messages are shown next
to the fields they name. Every lookup goes through visible_to() (out of scope → 404).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseFormSet, Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from subsidies.exports import batch_workbook
from subsidies.forms import ChildFormSet, ClaimForm, DocumentForm, MarkPaidForm, ReasonForm
from subsidies.models import Claim, PaymentBatch, SchemeKind
from subsidies.permissions import role_required
from subsidies.services import batches as batch_services
from subsidies.services import claims as claim_services
from subsidies.services import documents as document_services
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.http import AuthenticatedHttpRequest

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_LIMIT = 200  # pages show the most relevant 200 rows; the API pages through everything


def _show_errors(
    exc: DomainError,
    form: Form,
    formset: BaseFormSet | None = None,
    line_forms: Sequence[Form] | None = None,
) -> None:
    """Put each violation next to its field; lines[i].x goes to the i-th child form."""
    for violation in exc.violations:
        field = violation.field or ""
        if field.startswith("lines[") and line_forms is not None:
            index = int(field[6 : field.index("]")])
            sub = field.partition("].")[2] or None
            if index < len(line_forms):
                target = line_forms[index]
                target.add_error(sub if sub in target.fields else None, str(violation.message))
                continue
        base = field.split("[")[0].split(".")[0]
        if base == "lines":
            base = "classes" if "classes" in form.fields else "places"
        form.add_error(base if base in form.fields else None, str(violation.message))


# ── Operators ────────────────────────────────────────────────────────────────────────────────
@role_required(Role.OPERATOR)
def claim_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    claims = (
        Claim.objects.visible_to(request.user)
        .select_related("institution")
        .order_by("-id")[:PAGE_LIMIT]
    )
    return render(
        request, "subsidies/claim_list.html", {"claims": claims, "kinds": SchemeKind.choices}
    )


@role_required(Role.OPERATOR)
def claim_new(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    if kind not in SchemeKind.values:
        raise Http404
    form = ClaimForm(request.POST or None, user=request.user, kind=kind)
    formset = (
        ChildFormSet(request.POST or None, prefix="child")
        if kind == SchemeKind.FAMILY_FEE
        else None
    )
    if request.method == "POST":
        forms_ok = form.is_valid() and (formset is None or formset.is_valid())
        if forms_ok:
            line_forms = [f for f in formset.forms if f.has_changed()] if formset else []
            lines = [f.line() for f in line_forms] if formset else form.head_lines()
            start = form.cleaned_data["period_start"]
            try:
                claim = claim_services.create_claim(
                    form.cleaned_data["filing"],
                    actor=request.user,
                    scheme=form.cleaned_data["scheme"],
                    period_start=start,
                    period_end=form.cleaned_data.get("period_end") or start,
                    lines=lines,
                )
            except DomainError as exc:
                _show_errors(exc, form, formset, line_forms)
            else:
                messages.success(request, _("补贴申请草稿已保存，请核对金额后提交。"))
                return redirect("subsidy-claim-detail", pk=claim.pk)
    return render(
        request,
        "subsidies/claim_form.html",
        {"form": form, "formset": formset, "kind_label": SchemeKind(kind).label},
    )


@login_required
def claim_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(
        Claim.objects.visible_to(request.user).select_related("institution", "filing", "scheme"),
        pk=pk,
    )
    role = request.user.role
    context = {
        "claim": claim,
        "lines": claim.lines.all(),
        "history": claim.transitions.select_related("actor"),
        "documents": claim.documents.all(),
        "is_operator": role == Role.OPERATOR,
        "can_submit": role == Role.OPERATOR and claim.can_become(Claim.Status.SUBMITTED),
        "can_decide": role == Role.SUBSIDY_OFFICER and claim.can_become(Claim.Status.APPROVED),
        "decide_form": ReasonForm(),
        "document_form": DocumentForm(),
    }
    return render(request, "subsidies/claim_detail.html", context)


def _visible_claim(request: AuthenticatedHttpRequest, pk: int) -> Claim:
    return get_object_or_404(Claim.objects.visible_to(request.user), pk=pk)


def _flash(request: HttpRequest, exc: DomainError) -> None:
    for violation in exc.violations:
        messages.error(request, str(violation.message))


@require_POST
@role_required(Role.OPERATOR)
def claim_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = _visible_claim(request, pk)
    try:
        claim_services.submit_claim(claim, actor=request.user)
    except DomainError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("补贴申请已提交。"))
    return redirect("subsidy-claim-detail", pk=pk)


@require_POST
@role_required(Role.OPERATOR)
def claim_document(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = _visible_claim(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            document_services.add_document(
                claim, actor=request.user, upload=form.cleaned_data["file"]
            )
        except DomainError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("材料已上传。"))
    return redirect("subsidy-claim-detail", pk=pk)


@login_required
def claim_document_download(
    request: AuthenticatedHttpRequest, pk: int, document_id: int
) -> FileResponse:
    """Serve a supporting document to whoever may see the claim (operator, officer)."""
    claim = _visible_claim(request, pk)
    document = get_object_or_404(claim.documents, pk=document_id)
    return FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.original_name,
    )


# ── Subsidy officers ─────────────────────────────────────────────────────────────────────────
@role_required(Role.SUBSIDY_OFFICER)
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    claims = (
        Claim.objects.visible_to(request.user).queue().select_related("institution")[:PAGE_LIMIT]
    )
    from subsidies.watches import office_watching

    return render(
        request,
        "subsidies/queue.html",
        {"claims": claims, "office_watching": office_watching(request.user)},
    )


@require_POST
@role_required(Role.SUBSIDY_OFFICER)
def claim_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = _visible_claim(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核决定。"))
        return redirect("subsidy-claim-detail", pk=pk)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    try:
        if decision == "approve":
            claim_services.approve_claim(claim, actor=request.user, note=reason)
        elif decision == "reject":
            claim_services.reject_claim(claim, actor=request.user, reason=reason)
        else:
            claim_services.request_changes(claim, actor=request.user, reason=reason)
    except DomainError as exc:
        _flash(request, exc)
        return redirect("subsidy-claim-detail", pk=pk)
    messages.success(request, _("审核决定已保存。"))
    return redirect("subsidy-queue")


@role_required(Role.SUBSIDY_OFFICER)
def batch_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("claims") if v.isdigit()]
        try:
            batch = batch_services.create_batch(ids, actor=request.user)
        except DomainError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("支付批次已生成。"))
            return redirect("subsidy-batch-detail", pk=batch.pk)
    batches = PaymentBatch.objects.visible_to(request.user).order_by("-id")[:PAGE_LIMIT]
    payable = (
        Claim.objects.visible_to(request.user)
        .payable()
        .select_related("institution")
        .order_by("decided_at", "id")[:PAGE_LIMIT]
    )
    return render(request, "subsidies/batch_list.html", {"batches": batches, "payable": payable})


@role_required(Role.SUBSIDY_OFFICER, Role.SUPERVISOR)
def batch_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(PaymentBatch.objects.visible_to(request.user), pk=pk)
    form = MarkPaidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch_services.mark_batch_paid(
                batch, actor=request.user, payment_ref=form.cleaned_data["payment_ref"]
            )
        except DomainError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("已登记拨付。"))
            return redirect("subsidy-batch-detail", pk=pk)
    claims = batch.claims.select_related("institution").order_by("institution_id", "id")
    role = request.user.role
    can_mark_paid = role == Role.SUBSIDY_OFFICER and batch.can_become(PaymentBatch.Status.PAID)
    return render(
        request,
        "subsidies/batch_detail.html",
        {"batch": batch, "claims": claims, "form": form, "can_mark_paid": can_mark_paid},
    )


@role_required(Role.SUBSIDY_OFFICER, Role.SUPERVISOR)
def batch_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(PaymentBatch.objects.visible_to(request.user), pk=pk)
    response = HttpResponse(batch_workbook(batch), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="payment-batch-{batch.pk}.xlsx"'
    return response
