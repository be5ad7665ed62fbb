"""Parents' pages in the registry: free places (operator page, facility section) and
watching a facility (form, confirmation, unsubscribe)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from registry.models import ClassType, Filing
from registry.selectors.public import public_filings
from registry.services import vacancies as vacancy_services
from registry.services import watches
from registry.vacancies import StaleDays, filed_places_by_class, is_stale, updated_on, vacancy_of
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.http import AuthenticatedHttpRequest
from tuoyu_portal.regions import rules


def vacancy_context(filing: Filing) -> dict[str, Any]:
    vacancy = vacancy_of(filing)
    labels = dict(ClassType.choices)
    return {
        "rows": [
            {"label": labels[v["class_type"]], "free_places": v["free_places"]}
            for v in (vacancy.by_class if vacancy else [])
        ],
        "total": vacancy.free_places if vacancy else None,
        "updated_on": updated_on(vacancy.updated_at) if vacancy else None,
        "stale": vacancy is not None
        and is_stale(vacancy.updated_at, StaleDays()(filing.region_id)),
    }


def facility_sections(filing: Filing) -> list[dict[str, Any]]:
    """Free places and the watch form on the public facility page (PUBLIC_FACILITY_SECTIONS)."""
    return [
        {
            "title": _("空余托位"),
            "template": "registry/public/_vacancies.html",
            "context": vacancy_context(filing),
        },
        {
            "title": _("关注此机构"),
            "template": "registry/public/_watch.html",
            "context": {"filing_number": filing.filing_number, "form": WatchForm()},
        },
    ]


class WatchForm(forms.Form):
    email = forms.EmailField(
        label=_("电子邮箱"),
        max_length=254,
        help_text=_(
            "机构受到处罚、被认定不符合标准、责令停止服务或停止办理时，我们会发邮件告诉您。"
        ),
    )


def watch_new(request: HttpRequest, filing_number: str) -> HttpResponse:
    """POST from the facility page: the same service as POST /api/v1/public/watches/."""
    filing = get_object_or_404(public_filings(), filing_number=filing_number)
    form = WatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            watches.request_watch(facility=filing_number, email=form.cleaned_data["email"])
        except DomainError as error:
            for violation in error.violations:
                form.add_error("email", str(violation.message))
        else:
            return render(request, "registry/public/watch_sent.html", {"filing": filing})
    return render(
        request,
        "registry/public/watch_form.html",
        {"filing": filing, "form": form},
        status=400 if form.errors else 200,
    )


@never_cache
def watch_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners open links; a GET must not confirm); POST confirms."""
    try:
        watch = (
            watches.confirm_watch(token)
            if request.method == "POST"
            else watches.watch_for_confirm(token)
        )
    except DomainError as error:
        return render(
            request,
            "registry/public/watch_done.html",
            {"message": error.violations[0].message},
            status=404,
        )
    name = watch.filing.institution.name if watch.filing else ""
    if request.method == "POST":
        message = _("已确认关注“%(name)s”。机构公开信息有变化时，我们会发邮件告诉您。") % {
            "name": name
        }
        return render(request, "registry/public/watch_done.html", {"message": message})
    return render(request, "registry/public/watch_confirm.html", {"name": name})


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs without a session; the token is the proof
@never_cache
def watch_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        watch = watches.watch_for_unsubscribe(token)
    except DomainError as error:
        return render(
            request,
            "registry/public/watch_done.html",
            {"message": error.violations[0].message},
            status=404,
        )
    if request.method == "POST":
        watches.unsubscribe(token)
        return render(
            request,
            "registry/public/watch_done.html",
            {"message": _("已退订。您的邮箱地址已删除，我们不会再发送消息。")},
        )
    name = watch.filing.institution.name if watch.filing else ""
    return render(request, "registry/public/watch_unsubscribe.html", {"name": name})


class VacanciesForm(forms.Form):
    """One number per class type the filing has."""

    def __init__(self, *args: Any, class_types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(ClassType.choices)
        for class_type in class_types:
            self.fields[class_type] = forms.IntegerField(
                label=labels[class_type], min_value=0, max_value=10000
            )


@login_required
def filing_vacancies(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The operator's page: free places per class type beside the fee and the 普惠 price."""
    filing = get_object_or_404(
        Filing.objects.visible_to(request.user).select_related("institution", "vacancy"), pk=pk
    )
    filed = filed_places_by_class(filing)
    class_types = [c for c in ClassType.values if c in filed]
    current = {
        v["class_type"]: v["free_places"]
        for v in (getattr(vacancy_of(filing), "by_class", None) or [])
    }
    form = VacanciesForm(
        request.POST or None,
        class_types=class_types,
        initial={c: current.get(c, 0) for c in class_types},
    )
    if request.method == "POST" and form.is_valid():
        items = [{"class_type": c, "free_places": form.cleaned_data[c]} for c in class_types]
        try:
            vacancy_services.publish_vacancies(filing, actor=request.user, vacancies=items)
        except DomainError as error:
            for violation in error.violations:
                form.add_error(None, str(violation.message))
        else:
            messages.success(request, _("空余托位已更新并公开。"))
            return redirect("filing-vacancies", pk=filing.pk)
    return render(
        request,
        "registry/filings/vacancies.html",
        {
            "filing": filing,
            "form": form,
            "filed": [(dict(ClassType.choices)[c], filed[c]) for c in class_types],
            "fee_cap": rules.value_for("inclusive_fee_cap", filing.region_id),
            **vacancy_context(filing),
        },
        status=400 if form.errors else 200,
    )
