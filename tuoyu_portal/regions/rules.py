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
    # Closure (domain §2): how long a filing may stay 注销中 after the registration was cancelled
    # before it must be deregistered. No national figure is published: unconfirmed, a setting.
    "closing_deadline_days": RuleSpec(30, _("注销中备案的办结期限（日）"), "?"),
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
    # True where the region's rules count the complaint deadline in working days (issue 17).
    "complaint_handling_working_days": RuleSpec(False, _("投诉处理时限按工作日计算"), "L"),
    "inclusive_fee_cap": RuleSpec(None, _("普惠托育月收费上限（元）"), "L"),
    # Subsidy review (domain §6): share of approved claims sampled for document review, and an
    # amount from which every claim is reviewed (None: no threshold).
    "subsidy_audit_sample_share": RuleSpec(0.1, _("补贴核准后抽查材料的比例（0—1）"), "L"),
    "subsidy_audit_amount_threshold": RuleSpec(None, _("补贴金额达到此数（元）必查材料"), "L"),
    "subsidy_child_max_age_years": RuleSpec(3, _("保育费补助幼儿年龄上限（周岁，不含）"), "N"),
    # 示范奖励 goes to institutions that "达到市级示范标准" (岚山 notice): the quality grade
    # (WS/T 821—2023 assessment) that stands for that standard. Which grade it is, is unconfirmed.
    "demonstration_award_min_grade": RuleSpec(
        "A", _("示范奖励要求的质量评估等级（达到示范标准，A为最高）"), "?"
    ),
    # Supervision (domain §5): rectification deadlines, penalties, risk score, credit, quality
    "rectification_days_minor": RuleSpec(30, _("一般问题整改期限（日）"), "L"),
    "rectification_days_major": RuleSpec(15, _("较重问题整改期限（日）"), "L"),
    "rectification_days_critical": RuleSpec(7, _("严重问题整改期限（日）"), "L"),
    "fine_min": RuleSpec(5000, _("拒不改正的罚款下限（元）"), "N"),
    "fine_max": RuleSpec(50000, _("拒不改正的罚款上限（元）"), "N"),
    "serious_fine_min": RuleSpec(50000, _("情节严重的罚款下限（元）"), "N"),
    "serious_fine_max": RuleSpec(100000, _("情节严重的罚款上限（元）"), "N"),
    "inspection_interval_days": RuleSpec(365, _("两次检查最长间隔（日）"), "L"),
    "risk_weight_days_since_visit": RuleSpec(0.1, _("风险分：距上次检查每日分值"), "L"),
    "risk_weight_open_minor": RuleSpec(5, _("风险分：每个未整改一般问题"), "L"),
    "risk_weight_open_major": RuleSpec(15, _("风险分：每个未整改较重问题"), "L"),
    "risk_weight_open_critical": RuleSpec(40, _("风险分：每个未整改严重问题"), "L"),
    "risk_weight_past_finding": RuleSpec(2, _("风险分：每个近两年已整改问题"), "L"),
    "risk_weight_complaint": RuleSpec(20, _("风险分：每起查证属实投诉"), "L"),
    "risk_weight_new_institution": RuleSpec(25, _("风险分：备案未满一年的新机构"), "L"),
    "risk_weight_enforcement": RuleSpec(30, _("风险分：每项行政处罚"), "L"),
    "risk_weight_expiring_credentials": RuleSpec(10, _("风险分：租期或资质即将到期"), "L"),
    "risk_lookback_days": RuleSpec(730, _("风险分回溯期（日）"), "L"),
    "risk_new_institution_days": RuleSpec(365, _("视为新机构的备案天数"), "L"),
    "risk_expiring_days": RuleSpec(90, _("视为即将到期的天数"), "L"),
    "risk_days_per_point": RuleSpec(3, _("每1风险分提前检查的天数"), "L"),
    "credit_weight_minor": RuleSpec(1, _("诚信扣分：一般问题"), "L"),
    "credit_weight_major": RuleSpec(3, _("诚信扣分：较重问题"), "L"),
    "credit_weight_critical": RuleSpec(10, _("诚信扣分：严重问题"), "L"),
    "credit_weight_overdue": RuleSpec(5, _("诚信扣分：逾期未整改"), "L"),
    "credit_weight_order_to_correct": RuleSpec(5, _("诚信扣分：责令改正"), "L"),
    "credit_weight_warning": RuleSpec(10, _("诚信扣分：警告"), "L"),
    "credit_weight_fine": RuleSpec(20, _("诚信扣分：罚款"), "L"),
    "credit_weight_stop_service": RuleSpec(50, _("诚信扣分：责令停止服务"), "L"),
    "credit_weight_ban": RuleSpec(100, _("诚信扣分：终身禁入（个人）"), "N"),
    "quality_grade_a_min": RuleSpec(900, _("质量评估A级最低分"), "?"),
    "quality_grade_b_min": RuleSpec(750, _("质量评估B级最低分"), "?"),
    "quality_grade_c_min": RuleSpec(600, _("质量评估C级最低分"), "?"),
    # Notifications: how many days ahead operators hear about expiring health certificates and
    # leases, and about rectification deadlines.
    "notify_expiry_days": RuleSpec(30, _("证照、租赁到期前提醒天数"), "L"),
    "notify_deadline_days": RuleSpec(7, _("整改期限前提醒天数"), "L"),
    # Parents (issue 23): attendance confirmation before a family-fee subsidy is approved, the
    # life of its one-time link and the reminder interval; when free places count as stale.
    "family_fee_parent_confirmation": RuleSpec(False, _("保育费补助须经家长确认在托"), "L"),
    "attendance_code_valid_days": RuleSpec(14, _("家长确认链接有效天数"), "L"),
    "attendance_reminder_days": RuleSpec(3, _("家长未确认时再次提醒的间隔（日）"), "L"),
    "vacancy_stale_days": RuleSpec(31, _("空余托位信息超过此天数视为过时"), "L"),
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
