from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """Statistics dashboards: reads registry, inspections and subsidies; nothing imports it."""

    name = "tuoyu_portal.dashboard"
    label = "dashboard"
    verbose_name = _("统计分析")
