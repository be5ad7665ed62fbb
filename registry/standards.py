"""The capacity-and-ratio standards engine (托育机构设置标准（试行）, 国卫人口发〔2019〕58号).

One module serves filing (at submission), inspections (observed counts) and subsidies (claims
above places). Every number comes from the region's rules (`tuoyu_portal.regions.rules`); a
violation names its rule code (api.md) and explains itself in plain Chinese.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuoyu_portal.regions.rules import RULES, values_for

CLASS_TYPES = ("infant", "young_toddler", "older_toddler", "mixed")
CLASS_LABELS = {
    "infant": gettext_lazy("乳儿班"),
    "young_toddler": gettext_lazy("托小班"),
    "older_toddler": gettext_lazy("托大班"),
    "mixed": gettext_lazy("混合班"),
}
STANDARD_KEYS = [
    *(f"class_max_{t}" for t in CLASS_TYPES),
    *(f"ratio_{t}" for t in CLASS_TYPES),
    "mixed_min_age_months",
    "max_children_floor",
    "min_lease_years",
    "min_indoor_m2_per_child",
    "min_outdoor_m2_per_child",
    "full_time_health_worker_from_children",
    "children_per_cook",
]
# Rules the engine reads besides those the 基本条件告知书 lists.
ENGINE_KEYS = ["allow_under_6_months", "home_based_max_children", "home_based_ratio"]
UNDER_6_MONTHS = 6


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    severity: str = "error"  # error blocks submission; warning is shown and recorded
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "field": self.field,
        }


@dataclass(frozen=True)
class ClassFacts:
    class_type: str
    children: int
    carers: int
    min_age_months: int | None = None


@dataclass(frozen=True)
class SiteFacts:
    """The 备案书 facts the standards speak about; None means "not given yet"."""

    places: int | None = None
    classes: Sequence[ClassFacts] = field(default_factory=tuple)
    children_floor: int | None = None
    site_tenure: str = ""
    lease_end: date | None = None
    indoor_area_m2: Decimal | None = None
    outdoor_area_m2: Decimal | None = None
    meals: str = "none"
    health_workers: int = 0
    cooks: int = 0
    home_based: bool = False  # 家庭托育点 (国卫人口发〔2023〕28号): its own size and ratio


def standards_for(region_code: str | None, on: date | None = None) -> dict[str, Any]:
    """Every standard in force for a region on a date (one query)."""
    return values_for(STANDARD_KEYS + ENGINE_KEYS, region_code, on)


def _number(value: Any) -> Decimal:
    """Rule values come from JSON rows an administrator typed: accept 5, 5.0 and "5" alike."""
    return Decimal(str(value))


def required_carers(children: int, class_type: str, standards: dict[str, Any]) -> int:
    """ceil(children / ratio); only 保育人员 count."""
    ratio = _number(standards[f"ratio_{class_type}"])
    # Decimal keeps 1:3.5-style local ratios exact; ceil of an exact quotient never over-counts.
    return math.ceil(Decimal(children) / ratio) if children and ratio > 0 else 0


def check_classes(
    classes: Iterable[ClassFacts], standards: dict[str, Any], *, field_name: str = "classes"
) -> list[Violation]:
    """Class size, carer ratio and the mixed-class age floor, class by class."""
    found: list[Violation] = []
    for index, item in enumerate(classes):
        label = CLASS_LABELS.get(item.class_type, item.class_type)
        where = f"{field_name}[{index}]"
        if item.class_type not in CLASS_TYPES:
            # An unknown class type used to raise KeyError (a 500); it is bad input, a 400.
            found.append(
                Violation(
                    "class_type_invalid",
                    _("第%(n)d个班的班型“%(type)s”无效。") % {"n": index + 1, "type": label},
                    field=where,
                )
            )
            continue
        max_size = int(_number(standards[f"class_max_{item.class_type}"]))
        if item.children > max_size:
            found.append(
                Violation(
                    "class_over_size",
                    _("第%(n)d个班（%(label)s）%(children)d人，超过每班最多%(max)d人的标准。")
                    % {"n": index + 1, "label": label, "children": item.children, "max": max_size},
                    field=where,
                )
            )
        needed = required_carers(item.children, item.class_type, standards)
        if item.carers < needed:
            found.append(
                Violation(
                    "carer_ratio_below_standard",
                    _(
                        "第%(n)d个班（%(label)s）%(children)d名幼儿至少需要%(needed)d名保育人员（1:%(ratio)s），现有%(carers)d名。"
                    )
                    % {
                        "n": index + 1,
                        "label": label,
                        "children": item.children,
                        "needed": needed,
                        "ratio": standards[f"ratio_{item.class_type}"],
                        "carers": item.carers,
                    },
                    field=where,
                )
            )
        if (
            item.min_age_months is not None
            and item.min_age_months < UNDER_6_MONTHS
            and not standards.get("allow_under_6_months", False)
        ):
            found.append(
                Violation(
                    "under_6_months_not_allowed",
                    _("本地区不招收6个月以下婴儿，第%(n)d个班最小月龄为%(age)d个月。")
                    % {"n": index + 1, "age": item.min_age_months},
                    field=where,
                )
            )
        min_age = int(_number(standards["mixed_min_age_months"]))
        if (
            item.class_type == "mixed"
            and item.min_age_months is not None
            and item.min_age_months < min_age
        ):
            found.append(
                Violation(
                    "mixed_class_under_18_months",
                    _("混合班只招收%(min)d个月以上幼儿，第%(n)d个班最小月龄为%(age)d个月。")
                    % {"min": min_age, "n": index + 1, "age": item.min_age_months},
                    field=where,
                )
            )
    return found


def check_site(
    facts: SiteFacts, standards: dict[str, Any], *, today: date | None = None
) -> list[Violation]:
    """Places vs classes, floor, underground rooms, lease, areas per child."""
    today = today or timezone.localdate()
    planned = sum(c.children for c in facts.classes)
    found = _check_places(facts, planned) + _check_floor(facts, standards)
    found += _check_lease(facts, standards, today)
    children = facts.places or planned
    if facts.home_based and children:
        found.extend(_check_home_based(facts, children, standards))
    if children:
        found += _check_areas(facts, children, standards)
        found += _check_staffing(facts, children, standards)
    return found


def _check_places(facts: SiteFacts, planned: int) -> list[Violation]:
    if facts.places is not None and facts.classes and planned != facts.places:
        return [
            Violation(
                "places_mismatch",
                _("各班计划收托人数合计%(planned)d人，与备案托位数%(places)d个不一致。")
                % {"planned": planned, "places": facts.places},
                field="places",
            )
        ]
    return []


def _check_floor(facts: SiteFacts, standards: dict[str, Any]) -> list[Violation]:
    if facts.children_floor is None:
        return []
    if facts.children_floor < 0:
        return [
            Violation(
                "underground_children_rooms",
                _("幼儿用房不得设在地下室或半地下室。"),
                field="children_floor",
            )
        ]
    if facts.children_floor > int(_number(standards["max_children_floor"])):
        return [
            Violation(
                "children_floor_too_high",
                _("幼儿用房最高设在第%(max)d层，申报为第%(floor)d层。")
                % {"max": standards["max_children_floor"], "floor": facts.children_floor},
                field="children_floor",
            )
        ]
    return []


def _check_lease(facts: SiteFacts, standards: dict[str, Any], today: date) -> list[Violation]:
    if facts.site_tenure != "leased":
        return []
    years = int(_number(standards["min_lease_years"]))
    try:
        minimum_end = today.replace(year=today.year + years)
    except ValueError:  # 29 February
        minimum_end = today.replace(year=today.year + years, day=28)
    if facts.lease_end is None or facts.lease_end < minimum_end:
        return [
            Violation(
                "lease_too_short",
                _("租赁场地的剩余租期应不少于%(years)d年（至少至%(date)s）。")
                % {"years": years, "date": minimum_end.isoformat()},
                field="lease_end",
            )
        ]
    return []


def _check_areas(facts: SiteFacts, children: int, standards: dict[str, Any]) -> list[Violation]:
    found: list[Violation] = []
    for key, value, code, label, field_name in (
        (
            "min_indoor_m2_per_child",
            facts.indoor_area_m2,
            "indoor_area_too_small",
            _("室内"),
            "indoor_area_m2",
        ),
        (
            "min_outdoor_m2_per_child",
            facts.outdoor_area_m2,
            "outdoor_area_too_small",
            _("室外"),
            "outdoor_area_m2",
        ),
    ):
        per_child = _number(standards[key])
        if value is not None and value < per_child * children:
            found.append(
                Violation(
                    code,
                    _(
                        "%(label)s活动面积%(area)s㎡，按每名幼儿不少于%(per)s㎡、%(children)d名幼儿计算，应不少于%(need)s㎡。"
                    )
                    % {
                        "label": label,
                        "area": value,
                        "per": per_child,
                        "children": children,
                        "need": per_child * children,
                    },
                    field=field_name,
                )
            )
    return found


def _check_staffing(facts: SiteFacts, children: int, standards: dict[str, Any]) -> list[Violation]:
    found: list[Violation] = []
    if (
        children >= _number(standards["full_time_health_worker_from_children"])
        and facts.health_workers < 1
    ):
        found.append(
            Violation(
                "health_worker_required",
                _("收托%(children)d名幼儿，应至少配备1名专职保健人员。") % {"children": children},
                severity="warning",
                field="staff",
            )
        )
    if facts.meals == "on_site":
        cooks_needed = math.ceil(Decimal(children) / _number(standards["children_per_cook"]))
        if facts.cooks < cooks_needed:
            found.append(
                Violation(
                    "cooks_below_standard",
                    _("自行加工膳食时每%(per)d名幼儿应配1名炊事人员，至少需要%(need)d名。")
                    % {"per": standards["children_per_cook"], "need": cooks_needed},
                    severity="warning",
                    field="staff",
                )
            )
    return found


def check_enrolment(
    children: int, places: int | None, *, field_name: str = "observed_classes"
) -> list[Violation]:
    """More children present (or claimed, or enrolled) than the filed places: a warning the
    staff see, never a refusal of the record (the count is a fact the portal learned)."""
    if places is None or children <= places:
        return []
    return [
        Violation(
            "enrolment_over_capacity",
            _("实际收托%(children)d名幼儿，超过备案托位数%(places)d个。")
            % {"children": children, "places": places},
            severity="warning",
            field=field_name,
        )
    ]


def _check_home_based(
    facts: SiteFacts, children: int, standards: dict[str, Any]
) -> list[Violation]:
    """家庭托育点: at most N children in all, and carers for all children at 1:ratio."""
    found: list[Violation] = []
    max_children = int(_number(standards["home_based_max_children"]))
    if children > max_children:
        found.append(
            Violation(
                "home_based_over_size",
                _("家庭托育点最多收托%(max)d名婴幼儿，申报%(children)d名。")
                % {"max": max_children, "children": children},
                field="places",
            )
        )
    ratio = _number(standards["home_based_ratio"])
    needed = math.ceil(Decimal(children) / ratio) if ratio > 0 else 0
    carers = sum(c.carers for c in facts.classes)
    if facts.classes and carers < needed:
        found.append(
            Violation(
                "home_based_ratio_below_standard",
                _(
                    "家庭托育点%(children)d名婴幼儿至少需要%(needed)d名照护人员（1:%(ratio)s），现有%(carers)d名。"
                )
                % {
                    "children": children,
                    "needed": needed,
                    "ratio": standards["home_based_ratio"],
                    "carers": carers,
                },
                field="classes",
            )
        )
    return found


# Plain-language explanation and basis of each rule, for the readiness page and the notices.
EXPLANATIONS: dict[str, Promise] = {
    "registration_not_approved": gettext_lazy(
        "须先在登记机关完成登记（取得营业执照或法人登记证书）后才能备案。"
    ),
    "documents_missing": gettext_lazy(
        "《托育机构登记和备案办法（试行）》第八条所列备案材料须一次提交齐全。"
    ),
    "food_license_required": gettext_lazy(
        "自行加工膳食的托育机构须取得食品经营许可证（食品安全法）。"
    ),
    "commitment_required": gettext_lazy(
        "举办者须签署承诺书：材料真实、遵守设置标准和管理规范、接受监管、变更及时备案。"
    ),
    "class_over_size": gettext_lazy(
        "《托育机构设置标准（试行）》规定每班最多人数：乳儿班10人、托小班15人、托大班20人、混合班18人。"
    ),
    "carer_ratio_below_standard": gettext_lazy(
        "保育人员与幼儿比例不低于：乳儿班1:3、托小班1:5、托大班1:7；只计算保育人员。"
    ),
    "mixed_class_under_18_months": gettext_lazy("18个月以下的婴幼儿不宜混龄编班。"),
    "places_mismatch": gettext_lazy(
        "备案托位数应等于各班计划收托人数之和，收托人数不得超过备案托位数。"
    ),
    "children_floor_too_high": gettext_lazy(
        "婴幼儿用房宜设在建筑物的低层（不超过三层），便于安全疏散。"
    ),
    "underground_children_rooms": gettext_lazy("婴幼儿生活用房不得设置在地下室或半地下室。"),
    "lease_too_short": gettext_lazy("租赁场地的租期应不少于3年，保证托育服务稳定。"),
    "indoor_area_too_small": gettext_lazy("室内活动面积按收托人数计算，应达到当地规定的生均标准。"),
    "outdoor_area_too_small": gettext_lazy(
        "室外活动场地按收托人数计算，应达到当地规定的生均标准。"
    ),
    "health_worker_required": gettext_lazy("收托150名及以上幼儿的，应至少配备1名专职保健人员。"),
    "cooks_below_standard": gettext_lazy("自行加工膳食时，炊事人员按幼儿数配备。"),
    "class_type_invalid": gettext_lazy("班型只能是乳儿班、托小班、托大班或混合班。"),
    "enrolment_over_capacity": gettext_lazy("收托人数不得超过备案托位数；超出时须办理变更备案。"),
    "under_6_months_not_allowed": gettext_lazy(
        "设置标准的班型从6个月起；本地区未规定可招收6个月以下婴儿的，不得招收。"
    ),
    "home_based_over_size": gettext_lazy(
        "《家庭托育点管理办法（试行）》规定每个家庭托育点收托人数不超过5人（或本地区规定）。"
    ),
    "home_based_ratio_below_standard": gettext_lazy(
        "家庭托育点照护人员与婴幼儿的比例不低于1:3（或本地区规定）。"
    ),
}


def explain(rule: str) -> str:
    return str(EXPLANATIONS.get(rule, ""))


def check_all(
    facts: SiteFacts, region_code: str | None, *, on: date | None = None
) -> list[Violation]:
    standards = standards_for(region_code, on)
    return check_classes(facts.classes, standards) + check_site(facts, standards, today=on)


def rule_table(region_code: str | None, on: date | None = None) -> list[dict[str, Any]]:
    """The standards in force, labelled, for the 基本条件告知书 and the readiness page."""
    standards = standards_for(region_code, on)
    return [
        {
            "key": key,
            "label": str(RULES[key].label),
            "value": standards[key],
            "mark": RULES[key].mark,
        }
        for key in STANDARD_KEYS
    ]
