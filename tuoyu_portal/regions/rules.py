"""Named rules with national defaults; regions override them through RegionRule rows.

No number of domain.md lives anywhere else in code: services ask `value_for(key, region)`.
Marks as in domain.md: N national, L local, ? unconfirmed (kept a setting, shown as such).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import RegionRule, ancestor_codes


@dataclass(frozen=True)
class RuleSpec:
    default: Any
    label: str | Promise
    mark: str  # N / L / ?


RULES: dict[str, RuleSpec] = {
    # Registration (domain §1)
    "name_requires_tuoyu": RuleSpec(False, _("机构名称须含“托育”"), "L"),
    "name_requires_care_mode": RuleSpec(
        False, _("机构名称须注明托育方式（全日制/半日制/计时制）"), "L"
    ),
    "for_profit_authority": RuleSpec("scjg", _("营利性机构登记机关（scjg 或 xzsp）"), "L"),
    "unfiled_overdue_days": RuleSpec(30, _("登记后未备案视为逾期的天数"), "L"),
    # Filing clocks (25号 §9)
    "receipt_working_days": RuleSpec(5, _("备案回执办理时限（工作日）"), "N"),
    "conformity_working_days": RuleSpec(15, _("不符合标准告知时限（工作日）"), "N"),
    # Setting standard (58号)
    "class_max_infant": RuleSpec(10, _("乳儿班最大人数"), "N"),
    "class_max_young_toddler": RuleSpec(15, _("托小班最大人数"), "N"),
    "class_max_older_toddler": RuleSpec(20, _("托大班最大人数"), "N"),
    "class_max_mixed": RuleSpec(18, _("混合班最大人数"), "N"),
    "ratio_infant": RuleSpec(3, _("乳儿班每名保育人员照护幼儿数"), "N"),
    "ratio_young_toddler": RuleSpec(5, _("托小班每名保育人员照护幼儿数"), "N"),
    "ratio_older_toddler": RuleSpec(7, _("托大班每名保育人员照护幼儿数"), "N"),
    "ratio_mixed": RuleSpec(5, _("混合班每名保育人员照护幼儿数"), "?"),
    "mixed_min_age_months": RuleSpec(18, _("混合班最小月龄"), "N"),
    "allow_under_6_months": RuleSpec(False, _("允许招收6个月以下婴儿"), "?"),
    "max_children_floor": RuleSpec(3, _("幼儿用房最高楼层"), "N"),
    "min_lease_years": RuleSpec(3, _("租赁场地最短租期（年）"), "N"),
    "min_indoor_m2_per_child": RuleSpec(3, _("生均室内活动面积（平方米）"), "?"),
    "min_outdoor_m2_per_child": RuleSpec(2, _("生均室外活动面积（平方米）"), "L"),
    "full_time_health_worker_from_children": RuleSpec(150, _("须配专职保健人员的幼儿数"), "N"),
    "children_per_cook": RuleSpec(50, _("每名炊事人员服务幼儿数"), "?"),
    "home_based_max_children": RuleSpec(5, _("家庭托育点最多收托人数"), "N"),
    "target_places_per_1000": RuleSpec(4.5, _("每千人口托位数目标（无年度数据时）"), "N"),
    # Complaints, subsidies (domain §5–6)
    "complaint_handling_days": RuleSpec(15, _("投诉处理时限（日）"), "L"),
    "inclusive_fee_cap": RuleSpec(None, _("普惠托育月收费上限（元）"), "L"),
    # Staff roster (domain §4: staff health check yearly)
    "health_certificate_reminder_days": RuleSpec(30, _("健康证到期前提醒天数"), "L"),
}


def value_for(key: str, region_code: str | None, on: date | None = None) -> Any:
    """The value of rule `key` for a region on a date: most specific region, latest effective row."""
    spec = RULES[key]
    if not region_code:
        return spec.default
    on = on or timezone.localdate()
    codes = ancestor_codes(region_code)
    rows = list(
        RegionRule.objects.filter(key=key, region_id__in=codes, effective_from__lte=on)
        .order_by("-effective_from")
        .values_list("region_id", "value")
    )
    for code in codes:
        for row_region, value in rows:
            if row_region == code:
                return value
    return spec.default


def values_for(keys: list[str], region_code: str | None, on: date | None = None) -> dict[str, Any]:
    """Several rules at once, in one query (used by the standards engine)."""
    on = on or timezone.localdate()
    result = {key: RULES[key].default for key in keys}
    if not region_code:
        return result
    codes = ancestor_codes(region_code)
    rank = {code: index for index, code in enumerate(codes)}
    best: dict[str, tuple[int, int]] = {}
    for key, region_id, value, effective in RegionRule.objects.filter(
        key__in=keys, region_id__in=codes, effective_from__lte=on
    ).values_list("key", "region_id", "value", "effective_from"):
        candidate = (rank[region_id], date.max.toordinal() - effective.toordinal())
        if key not in best or candidate < best[key]:
            best[key] = candidate
            result[key] = value
    return result
