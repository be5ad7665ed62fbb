from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Region, RegionRule, RegionYear, WorkdayOverride
from .rules import RULES, RuleValueError, validate_value


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


class RegionRuleForm(forms.ModelForm):
    """A rule row is checked against the registry: a typo in the key or a value of the wrong
    type is refused here, not discovered later by the service that reads it."""

    key = forms.ChoiceField(label=_("规则"), choices=())

    class Meta:
        model = RegionRule
        fields = ("key", "region", "value", "effective_from", "valid_to", "basis", "quote")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [(key, f"{key} — {spec.label}") for key, spec in RULES.items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        key = data.get("key")
        if key and "value" in data:
            try:
                data["value"] = validate_value(key, data["value"])
            except RuleValueError as error:
                self.add_error("value", str(error))
        start, end = data.get("effective_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("失效日期不得早于生效日期。"))
        return data


@admin.register(RegionRule)
class RegionRuleAdmin(admin.ModelAdmin):
    form = RegionRuleForm
    list_display = (
        "key",
        "rule_label",
        "region",
        "value",
        "effective_from",
        "valid_to",
        "basis",
        "loaded_from",
    )
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
