from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Region, RegionRule, RegionYear, WorkdayOverride
from .rules import RULES


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "full_name", "level", "county_level", "active")
    list_filter = ("level", "county_level", "active")
    search_fields = ("code", "name", "full_name")
    raw_id_fields = ("parent",)
    show_full_result_count = False


@admin.register(RegionYear)
class RegionYearAdmin(admin.ModelAdmin):
    list_display = ("region", "year", "population", "target_places_per_1000", "note")
    list_filter = ("year",)
    autocomplete_fields = ("region",)
    search_fields = ("region__code", "region__name")
    list_select_related = ("region",)


@admin.register(RegionRule)
class RegionRuleAdmin(admin.ModelAdmin):
    list_display = ("key", "rule_label", "region", "value", "effective_from", "basis")
    list_filter = ("key",)
    autocomplete_fields = ("region",)
    search_fields = ("key", "region__code", "region__name")
    list_select_related = ("region",)

    @admin.display(description=_("说明"))
    def rule_label(self, obj: RegionRule) -> str:
        spec = RULES.get(obj.key)
        if not spec:
            return "—"
        return _("%(label)s（%(mark)s，默认 %(default)s）") % {
            "label": spec.label,
            "mark": spec.mark,
            "default": spec.default,
        }


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "region", "note")
    list_filter = ("is_workday",)
    autocomplete_fields = ("region",)
    date_hierarchy = "date"
