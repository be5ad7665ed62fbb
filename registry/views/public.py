"""Public register pages (no login): search, facility page, receipt verification."""

from __future__ import annotations

from functools import partial

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from registry.models import CareMode, Filing
from registry.selectors.public import (
    facility_sections,
    numbered_filings,
    public_address,
    public_filings,
    search_filings,
)
from registry.vacancies import StaleDays, public_fields, vacancy_of
from tuoyu_portal.regions.models import Region

PAGE_SIZE = 50


class PublicSearchForm(forms.Form):
    region = forms.CharField(
        label=_("地区（区划代码）"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"list": "region-list", "inputmode": "numeric"}),
    )
    care_mode = forms.ChoiceField(
        label=_("托育方式"), required=False, choices=[("", _("全部")), *CareMode.choices]
    )
    inclusive = forms.ChoiceField(
        label=_("普惠"),
        required=False,
        choices=[("", _("全部")), ("true", _("普惠性")), ("false", _("非普惠"))],
    )
    q = forms.CharField(label=_("机构名称"), required=False, max_length=50)
    has_vacancy = forms.BooleanField(label=_("只看有空余托位的机构"), required=False)

    def clean_region(self) -> str:
        value: str = self.cleaned_data["region"].strip()
        if value and not (value.isdigit() and len(value) == 6):
            raise forms.ValidationError(_("请输入6位行政区划代码。"))
        return value


def public_search(request: HttpRequest) -> HttpResponse:
    """Search filed institutions by region (with sub-regions), mode, 普惠 and name."""
    form = PublicSearchForm(request.GET or None)
    results: list[Filing] = []
    searched = False
    if form.is_bound and form.is_valid():
        searched = True
        data = form.cleaned_data
        inclusive = {"true": True, "false": False}.get(data["inclusive"])
        results = list(
            search_filings(
                public_filings(),
                region=data["region"],
                care_mode=data["care_mode"],
                inclusive=inclusive,
                q=data["q"],
                has_vacancy=data["has_vacancy"],
                newest=PAGE_SIZE,  # the page shows the newest PAGE_SIZE matches
            ).order_by("-id")[:PAGE_SIZE]
        )
    elif not form.is_bound:
        results = list(public_filings().order_by("-id")[:PAGE_SIZE])
    stale_days = StaleDays()
    rows = [
        {
            "filing": f,
            "address": public_address(f),
            # free places with their date, marked when stale.
            "vacancy": public_fields(
                by_class=getattr(vacancy_of(f), "by_class", None),
                updated_at=getattr(vacancy_of(f), "updated_at", None),
                stale_days=partial(stale_days, f.region_id),
            ),
            "free_places": getattr(vacancy_of(f), "free_places", None),
        }
        for f in results
    ]
    # Province and city choices for the datalist; counties are typed (3 000 options is too many).
    regions = Region.objects.exclude(level=Region.Level.COUNTY).only("code", "name")
    return render(
        request,
        "registry/public/search.html",
        {"form": form, "rows": rows, "searched": searched, "regions": regions},
    )


def public_facility(request: HttpRequest, filing_number: str) -> HttpResponse:
    """One institution's public facts, status, published reasons and contributed sections."""
    filing = get_object_or_404(public_filings(), filing_number=filing_number)
    sections = facility_sections(filing, list(getattr(settings, "PUBLIC_FACILITY_SECTIONS", [])))
    # Each contributed section renders its own template with its own context (the providing app
    # owns both), so the page never needs to know their variable names.
    for section in sections:
        section["html"] = render_to_string(section["template"], section.get("context", {}), request)
    return render(
        request,
        "registry/public/facility.html",
        {
            "filing": filing,
            "address": public_address(filing),
            "care_modes": [CareMode(m).label for m in filing.care_modes],
            "sections": sections,
        },
    )


def verify(request: HttpRequest, filing_number: str) -> HttpResponse:
    """Is a 备案回执 genuine and current? Unknown numbers: 404 page."""
    filing = get_object_or_404(numbered_filings(), filing_number=filing_number)
    return render(
        request,
        "registry/public/verify.html",
        {
            "filing": filing,
            "suspended": filing.is_suspended(),
            "valid": filing.status in Filing.PUBLIC_STATUSES and not filing.is_suspended(),
        },
    )
