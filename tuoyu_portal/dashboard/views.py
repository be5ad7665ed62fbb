"""Dashboard pages: the reviewers' and supervisors' statistics, its exports, the public page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tuoyu_portal.http import AuthenticatedHttpRequest
from tuoyu_portal.regions.models import Region

from . import exports, figures
from .access import may_see_dashboard, parse_year, public_region, region_for
from .charts import bar_chart


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _charts(fig: dict[str, Any], children: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each chart with the table of the same numbers (headers + rows) to show beside it."""
    charts: list[dict[str, Any]] = []
    labels = figures.item_labels()
    if children:
        rows = [(c["region_name"], c["places_per_1000"]) for c in children]
        charts.append(
            {
                "title": _("下级区划每千人口托位数"),
                "svg": bar_chart(
                    _("下级区划每千人口托位数"),
                    rows,
                    desc=_("每个下级区划的每千人口托位数，虚线为本区划目标"),
                    target=fig["target_per_1000"],
                    target_label=_("目标"),
                ),
                "headers": [_("区划"), _("每千人口托位数")],
                "rows": [(label, "—" if v is None else v) for label, v in rows],
            }
        )
    status_labels = labels["filings_by_status"]
    rows = [(str(status_labels[s]), n) for s, n in fig["filings_by_status"].items()]
    charts.append(
        {
            "title": _("备案按状态"),
            "svg": bar_chart(_("备案按状态"), rows, desc=_("各状态的备案数")),
            "headers": [_("状态"), _("数量")],
            "rows": rows,
        }
    )
    clock_rows = [
        (_("5日内出具回执"), fig["receipts_on_time_rate"]),
        (_("15日内符合性告知"), fig["conformity_on_time_rate"]),
        (_("检查覆盖率"), fig["inspection_coverage"]),
    ]
    charts.append(
        {
            "title": _("办理时限与检查覆盖"),
            "svg": bar_chart(
                _("办理时限与检查覆盖"),
                [(label, None if v is None else round(v * 100, 1)) for label, v in clock_rows],
                desc=_("按时办结比例和本年检查覆盖率（百分比）"),
            ),
            "headers": [_("指标"), _("比例")],
            "rows": [(label, _pct(v)) for label, v in clock_rows],
        }
    )
    severity_labels = labels["open_findings_by_severity"]
    rows = [(str(severity_labels[s]), n) for s, n in fig["open_findings_by_severity"].items()]
    charts.append(
        {
            "title": _("未整改问题按严重程度"),
            "svg": bar_chart(_("未整改问题按严重程度"), rows, desc=_("尚未核验整改的检查问题")),
            "headers": [_("严重程度"), _("数量")],
            "rows": rows,
        }
    )
    kind_labels = labels["subsidy_paid_by_scheme"]
    rows = [(str(kind_labels[k]), v) for k, v in fig["subsidy_paid_by_scheme"].items()]
    charts.append(
        {
            "title": _("已拨付补贴（元）"),
            "svg": bar_chart(_("已拨付补贴（元）"), rows, desc=_("本年已拨付补贴金额，按补贴类型")),
            "headers": [_("补贴类型"), _("金额（元）")],
            "rows": [(label, f"{v:.2f}") for label, v in rows],
        }
    )
    return charts


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Statistics of a region in the user's jurisdiction, with a table of its sub-regions."""
    user = request.user
    if not may_see_dashboard(user):
        raise PermissionDenied
    code = request.GET.get("region") or user.region_id or ""
    region = region_for(user, code)
    assert user.region_id is not None  # region_for answered 404 to a user without one
    year = parse_year(request.GET.get("year"), figures.current_year())
    fig = figures.region_figures(region.code, year)
    children = figures.child_figures(region.code, year)
    # Region picker: only the user's own region and the regions below it (jurisdiction).
    choices = list(
        Region.objects.within(user.region_id).filter(active=True).values_list("code", "name")
    )
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "region": region,
            "year": year,
            "fig": fig,
            "children": children,
            "charts": _charts(fig, children),
            "choices": choices,
            "complaints": fig["complaints"],
        },
    )


@login_required
def dashboard_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """`?format=csv|xlsx&region=&year=&figure=`: the region's and its children's figures."""
    user = request.user
    if not may_see_dashboard(user):
        raise PermissionDenied
    region = region_for(user, request.GET.get("region") or user.region_id or "")
    year = parse_year(request.GET.get("year"), figures.current_year())
    only = request.GET.get("figure") or None
    if only is not None and only not in exports.FIGURES:
        only = None
    fig = figures.region_figures(region.code, year)
    fig["region_name"] = region.name
    table = list(exports.rows([fig, *figures.child_figures(region.code, year)], only))
    name = f"stats-{region.code}-{year}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(exports.to_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def public_stats(request: HttpRequest) -> HttpResponse:
    """Public page: per county of a chosen city or province, anonymised aggregates only."""
    code = request.GET.get("region") or "370000"
    region = public_region(code)
    year = parse_year(request.GET.get("year"), figures.current_year())
    fig = figures.public_subset(
        {**figures.region_figures(region.code, year), "region_name": region.name}
    )
    rows = [
        figures.public_subset(row)
        for row in figures.child_figures(region.code, year, counties=True)
    ]
    provinces = list(
        Region.objects.filter(level=Region.Level.PROVINCE, active=True).values_list("code", "name")
    )
    cities = list(
        Region.objects.within(region.code[:2] + "0000")
        .filter(level=Region.Level.CITY, active=True)
        .values_list("code", "name")
    )
    chart = bar_chart(
        _("各县（市、区）每千人口托位数"),
        [(r["region_name"], r["places_per_1000"]) for r in rows],
        desc=_("公开统计：每千人口托位数，虚线为目标"),
        target=fig["target_per_1000"],
        target_label=_("目标"),
    )
    return render(
        request,
        "dashboard/public_stats.html",
        {
            "region": region,
            "year": year,
            "fig": fig,
            "rows": rows,
            "chart": chart,
            "choices": provinces + cities,
        },
    )
