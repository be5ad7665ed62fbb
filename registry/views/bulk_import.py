"""Bulk import page for registrars: upload, result summary, past batches, template and error
report downloads. Form validates → one service → redirect with a message (style.md §7)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from registry.bulk_import import COLUMN_HELP, COLUMNS, IMPORT_MAX_BYTES, template_csv
from registry.models import ImportBatch
from registry.services.bulk_import import import_registrations
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import DomainError

# Past batches shown on the page; all of them are in the admin.
RECENT_BATCHES = 20


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("导入文件（CSV 或 XLSX）"),
        help_text=_("第一行为列名；CSV 须为 UTF-8 编码。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


def _registrar(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_role(Role.REGISTRAR):
        raise PermissionDenied
    return user


def _csv_response(text: str, filename: str) -> HttpResponse:
    # A BOM so that Excel opens the Chinese text as UTF-8.
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def registrar_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV/XLSX of institutions registered elsewhere; see the outcome and past batches."""
    user = _registrar(request)
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
                for violation in error.violations:
                    form.add_error("file", str(violation.message))
            else:
                messages.success(
                    request,
                    _(
                        "导入完成：共%(total)s行，导入并推送%(ok)s行，"
                        "已存在跳过%(skip)s行，错误%(err)s行。"
                    )
                    % {
                        "total": batch.total_rows,
                        "ok": batch.approved_count,
                        "skip": batch.skipped_count,
                        "err": batch.error_count,
                    },
                )
                return redirect("registrar-import")
    batches = ImportBatch.objects.filter(uploaded_by=user).order_by("-id")[:RECENT_BATCHES]
    columns = [{"name": name, "help": COLUMN_HELP[name]} for name in COLUMNS]
    return render(
        request,
        "registry/bulk_import/import.html",
        {"form": form, "batches": batches, "columns": columns},
        status=400 if form.errors else 200,
    )


@login_required
def registrar_import_template(request: HttpRequest) -> HttpResponse:
    _registrar(request)
    return _csv_response(template_csv(), "registration-import-template.csv")


@login_required
def registrar_import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The per-row error report of one of the registrar's own batches (others: 404)."""
    user = _registrar(request)
    batch = get_object_or_404(ImportBatch, pk=pk, uploaded_by=user)
    return _csv_response(batch.error_report, f"import-{batch.pk}-report.csv")
