from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.admin_bases import ReferenceAdmin, admin_user
from tuoyu_portal.exceptions import DomainError

from .models import HolidaySchedule, Region, RegionRule, RegionYear, WorkdayOverride
from .rules import RULES, RuleValueError, validate_value
from .schedules import apply_schedule, parse_schedule

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@admin.register(Region)
class RegionAdmin(ReferenceAdmin):
    list_display = ("code", "name", "full_name", "level", "county_level", "active")
    list_filter = ("level", "county_level", "active")
    search_fields = ("code", "name", "full_name")
    raw_id_fields = ("parent",)
    show_full_result_count = False


@admin.register(RegionYear)
class RegionYearAdmin(ReferenceAdmin):
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
        key_field = cast(forms.ChoiceField, self.fields["key"])  # declared above as one
        key_field.choices = [(key, f"{key} — {spec.label}") for key, spec in RULES.items()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
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
class RegionRuleAdmin(ReferenceAdmin):
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
class WorkdayOverrideAdmin(ReferenceAdmin):
    """A single day's correction; every save or delete moves the open clocks it touches."""

    list_display = ("date", "is_workday", "region", "note", "schedule")
    list_filter = ("is_workday",)
    autocomplete_fields = ("region",)
    readonly_fields = ("schedule",)
    date_hierarchy = "date"
    list_select_related = ("region", "schedule")

    @transaction.atomic
    def save_model(
        self, request: HttpRequest, obj: WorkdayOverride, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        _recompute_after_admin_change(
            request, _("工作日调整 %(day)s，期限重新计算") % {"day": obj.date}
        )

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: WorkdayOverride) -> None:
        super().delete_model(request, obj)
        _recompute_after_admin_change(request, _("删除工作日调整，期限重新计算"))

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WorkdayOverride]) -> None:
        super().delete_queryset(request, queryset)
        _recompute_after_admin_change(request, _("删除工作日调整，期限重新计算"))


def _recompute_after_admin_change(request: HttpRequest, reason: StrOrPromise) -> None:
    from .recompute import recompute_open_clocks  # runs the apps' recomputers (settings)

    result = recompute_open_clocks(reason=reason, actor=admin_user(request))
    if result.changed:
        messages.info(request, _("已重算 %(count)d 个未结期限。") % {"count": result.changed})


def _schedule_ranges(rows: list[tuple[date, bool, str]]) -> tuple[str, str]:
    """The rows of a year as the form's two text boxes: holiday ranges, then 调休 workdays."""
    holidays: list[str] = []
    workdays: list[str] = []
    run: list[tuple[date, str]] = []

    def flush() -> None:
        if run:
            first, last, name = run[0][0], run[-1][0], run[0][1]
            span = first.isoformat() if first == last else f"{first.isoformat()} {last.isoformat()}"
            holidays.append(f"{span} {name}".strip())
            run.clear()

    for day, is_workday, name in sorted(rows):
        if is_workday:
            flush()
            workdays.append(f"{day.isoformat()} {name}".strip())
        elif run and (day - run[-1][0]).days == 1 and run[-1][1] == name:
            run.append((day, name))
        else:
            flush()
            run.append((day, name))
    flush()
    return "\n".join(holidays), "\n".join(workdays)


def _parse_lines(text: str, *, ranges: bool) -> list[dict[str, Any]]:
    """`2027-01-01 2027-01-03 元旦` (a range) or `2027-01-01 元旦` (one day) per line."""
    entries: list[dict[str, Any]] = []
    for line in (text or "").splitlines():
        parts = line.split()
        if not parts:
            continue
        first = parts[0]
        rest = parts[1:]
        last = first
        if ranges and rest and len(rest[0]) == 10 and rest[0][:4].isdigit():
            last, rest = rest[0], rest[1:]
        name = " ".join(rest)
        entries.append(
            {"name": name, "from": first, "to": last} if ranges else {"name": name, "date": first}
        )
    return entries


class HolidayScheduleForm(forms.ModelForm):
    """A whole year's schedule at once, as the notice lists it: the holiday ranges and the 调休
    working days. Checked by the same rules as the fixture files (schedules.parse_schedule)."""

    holidays = forms.CharField(
        label=_("放假日期"),
        widget=forms.Textarea(attrs={"rows": 12, "cols": 60}),
        help_text=_(
            "每行一段：起始日期 结束日期 名称，如“2027-02-05 2027-02-12 春节”；单日可只写一个日期。"
        ),
    )
    workdays = forms.CharField(
        label=_("调休上班日"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text=_("每行一天：日期 名称，如“2027-02-14 春节调休上班”。"),
    )

    class Meta:
        model = HolidaySchedule
        fields = ("year", "notice", "source")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            rows = list(self.instance.days.values_list("date", "is_workday", "note"))
            self.initial["holidays"], self.initial["workdays"] = _schedule_ranges(rows)
            self.fields["year"].disabled = True  # a year's schedule is replaced, not moved

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        try:
            self.schedule = parse_schedule(
                {
                    "year": data.get("year"),
                    "notice": data.get("notice"),
                    "source": data.get("source"),
                    "holidays": _parse_lines(data.get("holidays", ""), ranges=True),
                    "workdays": _parse_lines(data.get("workdays", ""), ranges=False),
                }
            )
        except DomainError as exc:
            raise forms.ValidationError([str(v.message) for v in exc.violations]) from exc
        return data


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(ReferenceAdmin):
    form = HolidayScheduleForm
    list_display = ("year", "notice", "source", "day_count", "updated_at")
    readonly_fields = ("updated_at",)
    fields = ("year", "notice", "source", "holidays", "workdays", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[HolidaySchedule]:
        return super().get_queryset(request).annotate(_day_count=Count("days"))

    @admin.display(description=_("天数"))
    def day_count(self, obj: HolidaySchedule) -> int:
        return getattr(obj, "_day_count", 0)

    @transaction.atomic
    def save_model(
        self, request: HttpRequest, obj: HolidaySchedule, form: Any, change: bool
    ) -> None:
        result = apply_schedule(form.schedule, actor=admin_user(request))
        saved = HolidaySchedule.objects.get(year=form.schedule.year)
        obj.pk, obj.updated_at = saved.pk, saved.updated_at
        if result.diff.empty:
            messages.info(request, _("年度安排没有变化。"))
        elif result.recomputed and result.recomputed.changed:
            messages.info(
                request,
                _("已重算 %(count)d 个未结期限。") % {"count": result.recomputed.changed},
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # the days were written by apply_schedule

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: HolidaySchedule) -> None:
        super().delete_model(request, obj)
        _recompute_after_admin_change(request, _("删除年度节假日安排，期限重新计算"))

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[HolidaySchedule]) -> None:
        super().delete_queryset(request, queryset)
        _recompute_after_admin_change(request, _("删除年度节假日安排，期限重新计算"))
