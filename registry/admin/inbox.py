"""Admin of the health inbox (read-only, the county's own entries) and the reconciliation reports
(mismatches first; national figures, for superusers)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from registry.models import HealthInboxEntry, ReconciliationReport
from tuoyu_portal.admin_bases import ReadOnlyAdmin


@admin.register(HealthInboxEntry)
class HealthInboxEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "credit_code",
        "event",
        "region",
        "approved_on",
        "received_at",
        "receipts",
    ]
    list_filter = ["event"]
    search_fields = ["name", "=credit_code", "=idempotency_key"]
    exclude = ["legal_representative_id_encrypted", "legal_representative_id_hash"]


@admin.register(ReconciliationReport)
class ReconciliationReportAdmin(ReadOnlyAdmin):
    list_display = ["run_on", "mismatch_badge", "mismatch_list", "created_at", "updated_at"]
    exclude = ["figures", "mismatches"]
    readonly_fields = ["run_on", "mismatch_count", "mismatch_list", "figures_table"]

    @admin.display(description=_("不一致县数"), ordering="mismatch_count")
    def mismatch_badge(self, obj: ReconciliationReport) -> SafeString:
        if obj.mismatch_count:
            return format_html('<strong class="overdue">⚠ {}</strong>', obj.mismatch_count)
        return format_html("{}", "0")

    @admin.display(description=_("不一致项（登记数 / 已接收推送数）"))
    def mismatch_list(self, obj: ReconciliationReport) -> SafeString:
        return format_html_join(
            "; ",
            "{}: {} / {}",
            ((m["region"], m["approved"], m["received"]) for m in obj.mismatches),
        )

    @admin.display(description=_("各县数据"))
    def figures_table(self, obj: ReconciliationReport) -> SafeString:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (county, f["approved"], f["received"], f["filings"])
                for county, f in sorted(obj.figures.items())
            ),
        )
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("县"),
            _("已登记"),
            _("已接收推送"),
            _("备案"),
            rows,
        )
