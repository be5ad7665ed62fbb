"""The parent's one-time attendance page `/public/attendance/<code>/` (no login)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from subsidies import attendance
from subsidies.amounts import format_month
from subsidies.models import ConfirmationStatus
from tuoyu_portal.exceptions import DomainError


class AttendanceAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("孩子在上述月份是否在该机构入托？"),
        choices=[
            (ConfirmationStatus.CONFIRMED, _("属实，孩子在这些月份确实在托")),
            (ConfirmationStatus.DISPUTED, _("有异议，与实际不符")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("异议说明（选择“有异议”时必填）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@never_cache
def attendance_answer(request: HttpRequest, code: str) -> HttpResponse:
    """Show the line the link is for and take the parent's answer; a spent link shows nothing."""
    try:
        found = attendance.find_code(code)
    except DomainError as error:
        return render(
            request,
            "subsidies/attendance_invalid.html",
            {"message": error.violations[0].message},
            status=404,
        )
    line = found.line
    form = AttendanceAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            line = attendance.answer_attendance(
                code, answer=form.cleaned_data["answer"], note=form.cleaned_data["note"]
            )
        except DomainError as error:
            for violation in error.violations:
                field = violation.field if violation.field in form.fields else None
                form.add_error(field, str(violation.message))
        else:
            return render(
                request,
                "subsidies/attendance_done.html",
                {"disputed": line.confirmation_status == ConfirmationStatus.DISPUTED},
            )
    return render(
        request,
        "subsidies/attendance.html",
        {
            "form": form,
            "institution": line.claim.institution.name,
            "child": attendance.mask_name(line.child_name),
            "months": [format_month(m) for m in line.months],
        },
        status=400 if form.errors else 200,
    )
