"""The typed rule registry: every rule key, declared once, with its national default and source.

No number of domain.md lives anywhere else in code: services ask `value_for(key, region)`.
Regions override a default through RegionRule rows, loaded from fixtures/rules/ (`load_rules`)
or typed in the admin; both are checked by `validate_value` against the spec here.
Marks as in domain.md: N national, L local, ? unconfirmed (kept a setting, shown as such).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Region, RegionRule, ancestor_codes

AUTHORITIES = ("bianban", "minzheng", "scjg", "xzsp")


@dataclass(frozen=True)
class Source:
    """Where a value comes from: a document (number or title), its article, a quoted phrase."""

    document: str
    article: str = ""
    quote: str = ""

    def __str__(self) -> str:
        return f"{self.document} {self.article}".strip()


# The national documents (their full titles are in fixtures/rules/national.yaml).
REGISTRATION_AND_FILING = "国卫办人口发〔2019〕25号《托育机构登记和备案办法（试行）》"
SETTING_STANDARD = "国卫人口发〔2019〕58号《托育机构设置标准（试行）》"
MANAGEMENT_NORM = "国卫人口发〔2019〕58号《托育机构管理规范（试行）》"
QUALITY_STANDARD = "WS/T 821—2023《托育机构质量评估标准》"
POPULATION_LAW = "《中华人民共和国人口与计划生育法》"
HOME_BASED = "国卫人口发〔2023〕28号《家庭托育点管理办法（试行）》"
STATE_COUNCIL_2019 = "国办发〔2019〕15号"
FIVE_YEAR_PLAN = "《国民经济和社会发展第十四个五年规划和2035年远景目标纲要》"
# Values the portal needs but no document fixes: shown as such, never as a citation.
PORTAL_DEFAULT = None


@dataclass(frozen=True)
class RuleSpec:
    default: Any
    label: str | Promise
    mark: str  # N / L / ?
    kind: str = ""  # bool | int | number | text | choice | list | records; inferred from default
    unit: str | Promise = ""
    minimum: float | None = 0
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    source: Source | None = PORTAL_DEFAULT
    nullable: bool = False  # None is a valid value ("not set")
    extra: dict[str, Any] = field(default_factory=dict)
    # A further check of a value of the right type: returns a message for a person, or None.
    check: Callable[[Any], str | None] | None = None

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", _infer_kind(self.default))
        if self.default is None:
            object.__setattr__(self, "nullable", True)


def _infer_kind(default: Any) -> str:
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "number"
    if isinstance(default, str):
        return "text"
    if isinstance(default, list):
        return "list"
    raise TypeError(f"declare the kind of a rule whose default is {default!r}")


def _check_filing_number_format(value: Any) -> str | None:
    """The counter runs per county and year, so the format needs all three fields to stay
    unique; nothing but them may be substituted."""
    wrong = gettext("备案编号格式须含 {region}、{year}、{seq} 三项且不超过32个字符。")
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(value) if name}
        if names != {"region", "year", "seq"}:
            return wrong
        sample = value.format(region="371103", year=2026, seq=99999)
    except (ValueError, KeyError, IndexError):
        return gettext("备案编号格式无法识别，请使用 {region}、{year}、{seq} 占位。")
    return wrong if len(sample) > 32 else None


def _check_url(value: Any) -> str | None:
    if value and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
        return gettext("须为以 http:// 或 https:// 开头的网址，或留空。")
    return None


def _check_secret_name(value: Any) -> str | None:
    """Only the name of the environment variable that holds the secret lives in the rule: a
    secret never goes into the rule table or a fixture file."""
    if value and not re.fullmatch(r"[A-Z][A-Z0-9_]{2,63}", value):
        return gettext("须为环境变量名（大写字母、数字和下划线），或留空。")
    return None


CODE = re.compile(r"[a-z][a-z0-9_]{1,39}")


def _check_codes(value: Any) -> str | None:
    """Material kinds a region no longer requires: codes only (the filing app knows them)."""
    if not all(CODE.fullmatch(code) for code in value):
        return gettext("须为材料类型代码（小写字母、数字和下划线）。")
    return None


def _check_texts(value: Any) -> str | None:
    if not all(text.strip() for text in value):
        return gettext("每一条都须有文字。")
    return None


def _check_records(fields: dict[str, bool], code_prefix: str = "") -> Callable[[Any], str | None]:
    """A list of entries with the given text fields (name → required); codes unique, a prefix so
    that a region's entry never takes the code of a national one."""

    def check(value: Any) -> str | None:
        codes: set[str] = set()
        for entry in value:
            unknown = set(entry) - set(fields)
            if unknown:
                return gettext("未知的字段：%(fields)s。") % {"fields": "、".join(sorted(unknown))}
            for name, required in fields.items():
                if name not in entry:
                    if required:
                        return gettext("每一项都须填写“%(field)s”。") % {"field": name}
                    continue
                item = entry[name]
                if not isinstance(item, str) or not item.strip():
                    return gettext("“%(field)s”的取值不正确。") % {"field": name}
            code = entry["code"]
            if not CODE.fullmatch(code) or not code.startswith(code_prefix):
                return gettext("代码须以“%(prefix)s”开头，由小写字母、数字和下划线组成。") % {
                    "prefix": code_prefix
                }
            if code in codes:
                return gettext("代码“%(code)s”重复。") % {"code": code}
            codes.add(code)
        return None

    return check


def _check_words(value: Any) -> str | None:
    if not value or not all(word.strip() for word in value):
        return gettext("至少填写一个词，且不能为空白。")
    return None


S = Source  # short alias for the table below
DAYS = _("天")
WORKING_DAYS = _("个工作日")
CHILDREN = _("人")
YUAN = _("元")
POINTS = _("分")

RULES: dict[str, RuleSpec] = {
    # Registration (domain §1)
    "name_requires_tuoyu": RuleSpec(False, _("机构名称须含“托育”"), "L"),
    "name_requires_care_mode": RuleSpec(
        False, _("机构名称须注明托育方式（全日制/半日制/计时制）"), "L"
    ),
    "public_institution_authority": RuleSpec(
        "bianban",
        _("事业单位登记机关"),
        "N",
        kind="choice",
        choices=AUTHORITIES,
        source=S(REGISTRATION_AND_FILING, "第四条"),
    ),
    "nonprofit_authority": RuleSpec(
        "minzheng",
        _("非营利性（民办非企业）机构登记机关"),
        "N",
        kind="choice",
        choices=AUTHORITIES,
        source=S(REGISTRATION_AND_FILING, "第四条"),
    ),
    "for_profit_authority": RuleSpec(
        "scjg",
        _("营利性机构登记机关"),
        "L",
        kind="choice",
        choices=AUTHORITIES,
        source=S(REGISTRATION_AND_FILING, "第四条"),
    ),
    "unfiled_overdue_days": RuleSpec(30, _("登记后未备案视为逾期的天数"), "L", unit=DAYS),
    # Words that count as a mode in a name: the national four modes and 岚山's 全日制/半日制/计时制.
    "care_mode_words": RuleSpec(
        ["全日制", "半日制", "计时制", "全日托", "半日托", "计时托", "临时托"],
        _("名称中可表明托育方式的词"),
        "L",
        check=_check_words,
    ),
    "scope_words": RuleSpec(
        ["托育服务", "3岁以下婴幼儿照护服务", "三岁以下婴幼儿照护服务"],
        _("业务（经营）范围须含的词（任一）"),
        "N",
        check=_check_words,
        source=S(REGISTRATION_AND_FILING),
    ),
    "health_office_name": RuleSpec(
        "",
        _("县级卫生健康部门名称（回执、告知书落款；空则用区划全称）"),
        "L",
    ),
    "filing_number_format": RuleSpec(
        "{region}-{year}-{seq:05d}",
        _("备案编号格式（{region} 区划代码、{year} 年份、{seq} 顺序号）"),
        "L",
        check=_check_filing_number_format,
    ),
    # Where approved registrations are pushed (25号 §6): empty = the deployment's own target.
    "push_target_url": RuleSpec(
        "", _("登记信息推送地址（空则用本平台默认）"), "L", check=_check_url
    ),
    "push_secret_name": RuleSpec(
        "", _("推送签名密钥所在的环境变量名（空则用本平台默认）"), "L", check=_check_secret_name
    ),
    # Materials (25号 §8): the national list is the filing app's; a region adds its own (each
    # uploaded as 其他材料, one file per item) or no longer requires a national one.
    "materials_extra": RuleSpec(
        [],
        _("地方增加的备案材料"),
        "L",
        kind="records",
        check=_check_records({"code": True, "label": True, "issuer": False}, "local_"),
        source=S(REGISTRATION_AND_FILING, "第八条"),
    ),
    "materials_not_required": RuleSpec(
        [],
        _("地方不再要求的备案材料（材料类型代码）"),
        "L",
        check=_check_codes,
        source=S(REGISTRATION_AND_FILING, "第八条"),
    ),
    # The 基本条件告知书: a region's own conditions, printed after the national standards.
    "notice_items": RuleSpec([], _("基本条件告知书中的地方条件"), "L", check=_check_texts),
    # Inspection checklists: a region's items added to the national routine checklist (the
    # quality checklist is scored by WS/T 821—2023 and takes no local items).
    "checklist_items": RuleSpec(
        [],
        _("日常监督检查表中的地方检查项目"),
        "L",
        kind="records",
        check=_check_records({"code": True, "text": True, "basis": False}, "local_"),
        source=S(MANAGEMENT_NORM),
    ),
    # Filing clocks (25号 §9)
    "receipt_working_days": RuleSpec(
        5,
        _("备案回执办理时限（工作日）"),
        "N",
        unit=WORKING_DAYS,
        minimum=1,
        source=S(REGISTRATION_AND_FILING, "第九条"),
    ),
    "conformity_working_days": RuleSpec(
        15,
        _("不符合标准告知时限（工作日）"),
        "N",
        unit=WORKING_DAYS,
        minimum=1,
        source=S(REGISTRATION_AND_FILING, "第九条"),
    ),
    # Closure (domain §2): how long a filing may stay 注销中 after the registration was cancelled
    # before it must be deregistered. No national figure is published: unconfirmed, a setting.
    "closing_deadline_days": RuleSpec(
        30, _("注销中备案的办结期限（日）"), "?", unit=DAYS, minimum=1
    ),
    # Setting standard (58号)
    "class_max_infant": RuleSpec(
        10, _("乳儿班最大人数"), "N", unit=CHILDREN, minimum=1, source=S(SETTING_STANDARD)
    ),
    "class_max_young_toddler": RuleSpec(
        15, _("托小班最大人数"), "N", unit=CHILDREN, minimum=1, source=S(SETTING_STANDARD)
    ),
    "class_max_older_toddler": RuleSpec(
        20, _("托大班最大人数"), "N", unit=CHILDREN, minimum=1, source=S(SETTING_STANDARD)
    ),
    "class_max_mixed": RuleSpec(
        18, _("混合班最大人数"), "N", unit=CHILDREN, minimum=1, source=S(SETTING_STANDARD)
    ),
    "ratio_infant": RuleSpec(
        3, _("乳儿班每名保育人员照护幼儿数"), "N", minimum=1, source=S(SETTING_STANDARD)
    ),
    "ratio_young_toddler": RuleSpec(
        5, _("托小班每名保育人员照护幼儿数"), "N", minimum=1, source=S(SETTING_STANDARD)
    ),
    "ratio_older_toddler": RuleSpec(
        7, _("托大班每名保育人员照护幼儿数"), "N", minimum=1, source=S(SETTING_STANDARD)
    ),
    "ratio_mixed": RuleSpec(5, _("混合班每名保育人员照护幼儿数"), "?", minimum=1),
    "mixed_min_age_months": RuleSpec(
        18, _("混合班最小月龄"), "N", unit=_("月"), source=S(SETTING_STANDARD)
    ),
    "allow_under_6_months": RuleSpec(False, _("允许招收6个月以下婴儿"), "?"),
    "max_children_floor": RuleSpec(
        3, _("幼儿用房最高楼层"), "N", unit=_("层"), minimum=1, source=S(QUALITY_STANDARD)
    ),
    "min_lease_years": RuleSpec(
        3, _("租赁场地最短租期（年）"), "N", unit=_("年"), source=S(SETTING_STANDARD, "第十一条")
    ),
    "min_indoor_m2_per_child": RuleSpec(
        3, _("生均室内活动面积（平方米）"), "?", kind="number", unit=_("平方米")
    ),
    "min_outdoor_m2_per_child": RuleSpec(
        2, _("生均室外活动面积（平方米）"), "L", kind="number", unit=_("平方米")
    ),
    "full_time_health_worker_from_children": RuleSpec(
        150, _("须配专职保健人员的幼儿数"), "N", unit=CHILDREN, source=S(SETTING_STANDARD)
    ),
    "children_per_cook": RuleSpec(
        50, _("每名炊事人员服务幼儿数"), "?", unit=CHILDREN, minimum=1, source=S(QUALITY_STANDARD)
    ),
    # Home-based points (国卫人口发〔2023〕28号)
    "home_based_max_children": RuleSpec(
        5, _("家庭托育点最多收托人数"), "N", unit=CHILDREN, minimum=1, source=S(HOME_BASED)
    ),
    "home_based_ratio": RuleSpec(
        3, _("家庭托育点每名照护人员照护幼儿数"), "N", minimum=1, source=S(HOME_BASED)
    ),
    "target_places_per_1000": RuleSpec(
        4.5,
        _("每千人口托位数目标（无年度数据时）"),
        "N",
        unit=_("个/千人"),
        source=S(FIVE_YEAR_PLAN, "", "2025年每千人口拥有3岁以下婴幼儿托位数4.5个"),
    ),
    # Complaints, subsidies (domain §5–6)
    "complaint_handling_days": RuleSpec(15, _("投诉处理时限（日）"), "L", unit=DAYS, minimum=1),
    # True where the region's rules count the complaint deadline in working days.
    "complaint_handling_working_days": RuleSpec(False, _("投诉处理时限按工作日计算"), "L"),
    # 示范奖励 goes to institutions that "达到市级示范标准" (岚山 notice): the quality grade
    # (WS/T 821—2023 assessment) that stands for that standard. Which grade it is, is unconfirmed.
    "demonstration_award_min_grade": RuleSpec(
        "A",
        _("示范奖励要求的质量评估等级（达到示范标准，A为最高）"),
        "?",
        kind="choice",
        choices=("A", "B", "C", "D"),
    ),
    # Parents: attendance confirmation before a family-fee subsidy is approved, the life of its
    # one-time link and the reminder interval; when free places count as stale.
    "family_fee_parent_confirmation": RuleSpec(False, _("保育费补助须经家长确认在托"), "L"),
    "attendance_code_valid_days": RuleSpec(
        14, _("家长确认链接有效天数"), "L", unit=DAYS, minimum=1
    ),
    "attendance_reminder_days": RuleSpec(
        3, _("家长未确认时再次提醒的间隔（日）"), "L", unit=DAYS, minimum=1
    ),
    "vacancy_stale_days": RuleSpec(
        31, _("空余托位信息超过此天数视为过时"), "L", unit=DAYS, minimum=1
    ),
    "inclusive_fee_cap": RuleSpec(
        None, _("普惠托育月收费上限（元）"), "L", kind="number", unit=YUAN
    ),
    # 岚山: "不超过财政拨款类省级示范幼儿园托班收费标准的2倍" — a multiple of a reference fee that
    # the notice does not state; the cap applies once the county enters that fee.
    "inclusive_fee_cap_multiple": RuleSpec(
        None, _("普惠托育收费上限：参照收费标准的倍数"), "L", kind="number"
    ),
    "inclusive_fee_reference": RuleSpec(
        None,
        _("普惠托育收费上限的参照收费标准（元/月，如省级示范幼儿园托班收费）"),
        "L",
        kind="number",
        unit=YUAN,
    ),
    "place_subsidy_city_share": RuleSpec(
        None, _("托位补助中市级财政承担的比例（0—1）"), "L", kind="number", maximum=1
    ),
    # Subsidy review (domain §6): share of approved claims sampled for document review, and an
    # amount from which every claim is reviewed (None: no threshold).
    "subsidy_audit_sample_share": RuleSpec(
        0.1, _("补贴核准后抽查材料的比例（0—1）"), "L", maximum=1
    ),
    "subsidy_audit_amount_threshold": RuleSpec(
        None, _("补贴金额达到此数（元）必查材料"), "L", kind="number", unit=YUAN
    ),
    "subsidy_child_max_age_years": RuleSpec(
        3,
        _("保育费补助幼儿年龄上限（周岁，不含）"),
        "N",
        unit=_("周岁"),
        minimum=1,
        source=S(STATE_COUNCIL_2019, "", "3岁以下婴幼儿"),
    ),
    # Supervision (domain §5): rectification deadlines, penalties, risk score, credit, quality
    "rectification_days_minor": RuleSpec(30, _("一般问题整改期限（日）"), "L", unit=DAYS),
    "rectification_days_major": RuleSpec(15, _("较重问题整改期限（日）"), "L", unit=DAYS),
    "rectification_days_critical": RuleSpec(7, _("严重问题整改期限（日）"), "L", unit=DAYS),
    "fine_min": RuleSpec(
        5000, _("拒不改正的罚款下限（元）"), "N", unit=YUAN, source=S(POPULATION_LAW, "第四十一条")
    ),
    "fine_max": RuleSpec(
        50000, _("拒不改正的罚款上限（元）"), "N", unit=YUAN, source=S(POPULATION_LAW, "第四十一条")
    ),
    "serious_fine_min": RuleSpec(
        50000, _("情节严重的罚款下限（元）"), "N", unit=YUAN, source=S(POPULATION_LAW, "第四十一条")
    ),
    "serious_fine_max": RuleSpec(
        100000,
        _("情节严重的罚款上限（元）"),
        "N",
        unit=YUAN,
        source=S(POPULATION_LAW, "第四十一条"),
    ),
    "inspection_interval_days": RuleSpec(365, _("两次检查最长间隔（日）"), "L", unit=DAYS),
    "risk_weight_days_since_visit": RuleSpec(0.1, _("风险分：距上次检查每日分值"), "L"),
    "risk_weight_open_minor": RuleSpec(5, _("风险分：每个未整改一般问题"), "L", unit=POINTS),
    "risk_weight_open_major": RuleSpec(15, _("风险分：每个未整改较重问题"), "L", unit=POINTS),
    "risk_weight_open_critical": RuleSpec(40, _("风险分：每个未整改严重问题"), "L", unit=POINTS),
    "risk_weight_past_finding": RuleSpec(2, _("风险分：每个近两年已整改问题"), "L", unit=POINTS),
    "risk_weight_complaint": RuleSpec(20, _("风险分：每起查证属实投诉"), "L", unit=POINTS),
    "risk_weight_new_institution": RuleSpec(
        25, _("风险分：备案未满一年的新机构"), "L", unit=POINTS
    ),
    "risk_weight_enforcement": RuleSpec(30, _("风险分：每项行政处罚"), "L", unit=POINTS),
    "risk_weight_expiring_credentials": RuleSpec(
        10, _("风险分：租期或资质即将到期"), "L", unit=POINTS
    ),
    "risk_lookback_days": RuleSpec(730, _("风险分回溯期（日）"), "L", unit=DAYS),
    "risk_new_institution_days": RuleSpec(365, _("视为新机构的备案天数"), "L", unit=DAYS),
    "risk_expiring_days": RuleSpec(90, _("视为即将到期的天数"), "L", unit=DAYS),
    "risk_days_per_point": RuleSpec(3, _("每1风险分提前检查的天数"), "L", unit=DAYS),
    "credit_weight_minor": RuleSpec(1, _("诚信扣分：一般问题"), "L", unit=POINTS),
    "credit_weight_major": RuleSpec(3, _("诚信扣分：较重问题"), "L", unit=POINTS),
    "credit_weight_critical": RuleSpec(10, _("诚信扣分：严重问题"), "L", unit=POINTS),
    "credit_weight_overdue": RuleSpec(5, _("诚信扣分：逾期未整改"), "L", unit=POINTS),
    "credit_weight_order_to_correct": RuleSpec(5, _("诚信扣分：责令改正"), "L", unit=POINTS),
    "credit_weight_warning": RuleSpec(10, _("诚信扣分：警告"), "L", unit=POINTS),
    "credit_weight_fine": RuleSpec(20, _("诚信扣分：罚款"), "L", unit=POINTS),
    "credit_weight_stop_service": RuleSpec(50, _("诚信扣分：责令停止服务"), "L", unit=POINTS),
    "credit_weight_ban": RuleSpec(
        100,
        _("诚信扣分：终身禁入（个人）"),
        "N",
        unit=POINTS,
        source=S(POPULATION_LAW, "第四十一条", "终身不得从事婴幼儿照护服务"),
    ),
    "quality_grade_a_min": RuleSpec(
        900, _("质量评估A级最低分"), "?", unit=POINTS, maximum=1000, source=S(QUALITY_STANDARD)
    ),
    "quality_grade_b_min": RuleSpec(
        750, _("质量评估B级最低分"), "?", unit=POINTS, maximum=1000, source=S(QUALITY_STANDARD)
    ),
    "quality_grade_c_min": RuleSpec(
        600, _("质量评估C级最低分"), "?", unit=POINTS, maximum=1000, source=S(QUALITY_STANDARD)
    ),
    # Notifications: how many days ahead operators hear about expiring health certificates and
    # leases, and about rectification deadlines.
    "notify_expiry_days": RuleSpec(30, _("证照、租赁到期前提醒天数"), "L", unit=DAYS),
    "notify_deadline_days": RuleSpec(7, _("整改期限前提醒天数"), "L", unit=DAYS),
}

# Headings of the public rules page; a key goes to the first group whose prefix it starts with.
GROUPS: list[tuple[str, Promise, tuple[str, ...]]] = [
    (
        "registration",
        _("登记与名称"),
        (
            "name_",
            "care_mode_words",
            "scope_words",
            "public_institution_",
            "nonprofit_",
            "for_profit_",
            "unfiled_",
            "health_office",
        ),
    ),
    ("materials", _("备案材料与告知书"), ("materials_", "notice_")),
    ("filing", _("备案编号与时限"), ("filing_number", "receipt_", "conformity_")),
    ("push", _("登记信息推送"), ("push_",)),
    (
        "standards",
        _("设置标准"),
        (
            "class_",
            "ratio_",
            "mixed_",
            "allow_under",
            "max_children",
            "min_",
            "full_time",
            "children_per",
        ),
    ),
    ("home_based", _("家庭托育点"), ("home_based_",)),
    ("targets", _("发展目标"), ("target_",)),
    ("subsidies", _("普惠与补贴"), ("inclusive_", "place_subsidy", "subsidy_")),
    ("supervision", _("监督管理与处罚"), ("complaint_", "rectification_", "fine_", "serious_")),
    ("scoring", _("风险、诚信与质量评分"), ("inspection_", "risk_", "credit_", "quality_")),
    ("checklists", _("检查表"), ("checklist_",)),
    ("notifications", _("到期提醒"), ("notify_",)),
]
OTHER_GROUP: tuple[str, Promise] = ("other", _("其他"))


def group_of(key: str) -> tuple[str, Promise]:
    for code, label, prefixes in GROUPS:
        if key.startswith(prefixes):
            return code, label
    return OTHER_GROUP


class RuleValueError(ValueError):
    """A value that does not fit its rule's spec; the message is for a person (Chinese)."""


def validate_value(key: str, value: Any) -> Any:
    """`value` checked against the spec of `key` and returned in its canonical type."""
    spec = RULES.get(key)
    if spec is None:
        raise RuleValueError(
            gettext("未知的规则“%(key)s”：规则须先在规则登记表中声明。") % {"key": key}
        )
    if value is None:
        if spec.nullable:
            return None
        raise RuleValueError(gettext("“%(label)s”必须填写取值。") % {"label": spec.label})
    kind = spec.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise RuleValueError(gettext("“%(label)s”只能是“是”或“否”。") % {"label": spec.label})
        return value
    if kind in ("int", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise RuleValueError(gettext("“%(label)s”必须是数字。") % {"label": spec.label})
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise RuleValueError(
                gettext("“%(label)s”必须是数字。") % {"label": spec.label}
            ) from None
        if not number.is_finite():
            raise RuleValueError(gettext("“%(label)s”必须是数字。") % {"label": spec.label})
        if kind == "int" and number != number.to_integral_value():
            raise RuleValueError(gettext("“%(label)s”必须是整数。") % {"label": spec.label})
        if spec.minimum is not None and number < Decimal(str(spec.minimum)):
            raise RuleValueError(
                gettext("“%(label)s”不得小于%(min)s。") % {"label": spec.label, "min": spec.minimum}
            )
        if spec.maximum is not None and number > Decimal(str(spec.maximum)):
            raise RuleValueError(
                gettext("“%(label)s”不得大于%(max)s。") % {"label": spec.label, "max": spec.maximum}
            )
        if kind == "int":
            return int(number)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind in ("text", "choice"):
        if not isinstance(value, str):
            raise RuleValueError(gettext("“%(label)s”必须是文字。") % {"label": spec.label})
        if kind == "choice" and value not in spec.choices:
            raise RuleValueError(
                gettext("“%(label)s”只能取以下值之一：%(choices)s。")
                % {"label": spec.label, "choices": "、".join(spec.choices)}
            )
        return _checked(spec, value)
    if kind in ("list", "records"):
        return _validate_collection(spec, value)
    raise RuleValueError(gettext("“%(label)s”的类型无法识别。") % {"label": spec.label})


def _validate_collection(spec: RuleSpec, value: Any) -> Any:
    """A list of words (list) or of entries with named fields (records)."""
    if spec.kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RuleValueError(gettext("“%(label)s”必须是文字列表。") % {"label": spec.label})
        return _checked(spec, value)
    if not isinstance(value, list) or not all(
        isinstance(v, dict) and all(isinstance(k, str) for k in v) for v in value
    ):
        raise RuleValueError(gettext("“%(label)s”必须是条目列表。") % {"label": spec.label})
    return _checked(spec, value)


def _checked(spec: RuleSpec, value: Any) -> Any:
    message = spec.check(value) if spec.check else None
    if message:
        raise RuleValueError(f"“{spec.label}”：{message}")
    return value


def _in_force(on: date) -> Q:
    """Rows in force on `on`: started on or before it, and not ended before it (valid_to is the
    last day in force)."""
    return Q(effective_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def value_for(key: str, region_code: str | None, on: date | None = None) -> Any:
    """The value of rule `key` for a region on a date: most specific region, latest effective row."""
    spec = RULES[key]
    if not region_code:
        return spec.default
    on = on or timezone.localdate()
    codes = ancestor_codes(region_code)
    rows = list(
        RegionRule.objects.filter(_in_force(on), key=key, region_id__in=codes)
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
    for key, resolved in _resolve(keys, region_code, on).items():
        result[key] = resolved.value
    return result


@dataclass(frozen=True)
class Resolved:
    """A rule as it binds a region on a day, and where that value comes from."""

    key: str
    value: Any
    level: str  # national | province | city | county
    source_region: str | None
    basis: str
    quote: str
    valid_from: date | None
    valid_to: date | None

    @property
    def spec(self) -> RuleSpec:
        return RULES[self.key]


def _resolve(keys: list[str], region_code: str, on: date) -> dict[str, Resolved]:
    """The nearest region's row in force for each key that any region in the chain sets."""
    codes = ancestor_codes(region_code)
    rank = {code: index for index, code in enumerate(codes)}
    levels = dict(Region.objects.filter(code__in=codes).values_list("code", "level"))
    best: dict[str, tuple[tuple[int, int], Resolved]] = {}
    for row in RegionRule.objects.filter(_in_force(on), key__in=keys, region_id__in=codes).values(
        "key", "region_id", "value", "effective_from", "valid_to", "basis", "quote"
    ):
        candidate = (
            rank[row["region_id"]],
            date.max.toordinal() - row["effective_from"].toordinal(),
        )
        if row["key"] in best and best[row["key"]][0] <= candidate:
            continue
        best[row["key"]] = (
            candidate,
            Resolved(
                key=row["key"],
                value=row["value"],
                level=levels.get(row["region_id"], "county"),
                source_region=row["region_id"],
                basis=row["basis"],
                quote=row["quote"],
                valid_from=row["effective_from"],
                valid_to=row["valid_to"],
            ),
        )
    return {key: item for key, (_rank, item) in best.items()}


def rules_in_force(region_code: str, on: date | None = None) -> list[Resolved]:
    """Every registered rule for a region on a day, in registry order (the rules API and page)."""
    on = on or timezone.localdate()
    found = _resolve(list(RULES), region_code, on)
    result: list[Resolved] = []
    for key, spec in RULES.items():
        if key in found:
            result.append(found[key])
            continue
        result.append(
            Resolved(
                key=key,
                value=spec.default,
                level="national",
                source_region=None,
                basis=str(spec.source) if spec.source else "",
                quote=spec.source.quote if spec.source else "",
                valid_from=None,
                valid_to=None,
            )
        )
    return result


def resolved(key: str, region_code: str, on: date | None = None) -> Resolved | None:
    """The row that binds a region for `key` on a day (with its source), or None: the default."""
    return _resolve([key], region_code, on or timezone.localdate()).get(key)


def authority_for(legal_nature: str, county_code: str | None, on: date | None = None) -> str:
    """The registration authority for a legal nature in a county (domain §1, 25号 §4)."""
    key = {
        "public_institution": "public_institution_authority",
        "nonprofit": "nonprofit_authority",
    }.get(legal_nature, "for_profit_authority")
    return str(value_for(key, county_code, on))


def inclusive_fee_cap(region_code: str | None, on: date | None = None) -> Decimal | None:
    """The 普惠 monthly fee cap: a fixed amount, or a multiple of a reference fee (岚山), else None."""
    values = values_for(
        ["inclusive_fee_cap", "inclusive_fee_cap_multiple", "inclusive_fee_reference"],
        region_code,
        on,
    )
    if values["inclusive_fee_cap"] is not None:
        return Decimal(str(values["inclusive_fee_cap"]))
    multiple, reference = values["inclusive_fee_cap_multiple"], values["inclusive_fee_reference"]
    if multiple is not None and reference is not None:
        return Decimal(str(multiple)) * Decimal(str(reference))
    return None


def health_office_name(region_code: str, on: date | None = None) -> str:
    """The county health bureau as documents name it ("岚山区卫生健康局"), else a generic title."""
    name = str(value_for("health_office_name", region_code, on) or "")
    if name:
        return name
    region = Region.objects.filter(code=region_code).first()
    return gettext("%(region)s卫生健康主管部门") % {
        "region": region.full_name if region else region_code
    }
