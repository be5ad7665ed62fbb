"""Seed content of the checklist templates (version 1).

Routine items follow 《托育机构管理规范（试行）》 (domain.md §4); the quality template follows
WS/T 821—2023 with its seven dimensions and points (1 000 in all) and its veto (basic) items.
Grade thresholds are region rules (`quality_grade_*_min`), not template data.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from tuoyu_portal.regions import rules

if TYPE_CHECKING:
    from .models import ChecklistTemplate

ROUTINE_CODE = "routine"
QUALITY_CODE = "quality"

ROUTINE_ITEMS: list[dict[str, Any]] = [
    {
        "code": "cctv_24h",
        "text": "视频监控24小时设防，覆盖所有婴幼儿活动区域",
        "basis": "管理规范 §32",
    },
    {
        "code": "cctv_retention_90d",
        "text": "监控录像保存不少于90日，无删除、无中断",
        "basis": "管理规范 §32",
    },
    {"code": "admission_health_check", "text": "入托前健康检查及预防接种查验", "basis": "管理规范"},
    {"code": "readmission_check", "text": "离园3个月以上返园重新体检", "basis": "管理规范"},
    {"code": "daily_checks", "text": "晨午检及全日健康观察记录", "basis": "管理规范"},
    {"code": "outdoor_2h", "text": "每日户外活动不少于2小时", "basis": "管理规范"},
    {"code": "staff_health_check", "text": "工作人员上岗前及每年健康检查", "basis": "管理规范"},
    {
        "code": "staff_background_check",
        "text": "工作人员入职前及每年违法犯罪记录查询",
        "basis": "未成年人保护法 §62",
    },
    {"code": "emergency_drills", "text": "突发事件应急预案及定期演练", "basis": "管理规范"},
    {
        "code": "food_samples",
        "text": "食品留样（每餐每样不少于125克，保存48小时）",
        "basis": "食品安全法",
    },
    {"code": "fee_disclosure", "text": "收费项目、食谱、安全管理制度公示", "basis": "管理规范"},
    {"code": "liability_insurance", "text": "投保责任保险", "basis": "管理规范（待确认）"},
    {
        "code": "annual_report",
        "text": "年度工作计划及年终报告报送卫生健康部门",
        "basis": "管理规范",
    },
    {"code": "enrolment_records", "text": "在托婴幼儿信息定期报送", "basis": "管理规范"},
]

QUALITY_DIMENSIONS: list[dict[str, Any]] = [
    {"code": "conditions", "title": "办托条件", "points": 100},
    {"code": "staff", "title": "托育队伍", "points": 140},
    {"code": "care", "title": "保育照护", "points": 200},
    {"code": "health", "title": "卫生保健", "points": 210},
    {"code": "parenting", "title": "养育支持", "points": 80},
    {"code": "safety", "title": "安全保障", "points": 200},
    {"code": "management", "title": "机构管理", "points": 70},
]

# One scored item per dimension worth its full points, plus the basic (veto) indicators: failing any
# veto item grades the visit D whatever the score (WS/T 821—2023 基本指标).
QUALITY_ITEMS: list[dict[str, Any]] = [
    *(
        {"code": f"{d['code']}_score", "text": d["title"], "dimension": d["code"],
         "points": d["points"], "veto": False}
        for d in QUALITY_DIMENSIONS
    ),
    {"code": "veto_filed", "text": "依法登记并完成备案", "dimension": "conditions", "points": 0, "veto": True},
    {"code": "veto_no_abuse", "text": "无虐待、伤害婴幼儿行为", "dimension": "safety", "points": 0, "veto": True},
    {"code": "veto_cctv", "text": "视频监控全覆盖并按期保存", "dimension": "safety", "points": 0, "veto": True},
    {"code": "veto_staff_checks", "text": "工作人员均经健康检查和背景审查", "dimension": "staff", "points": 0, "veto": True},
    {"code": "veto_food_safety", "text": "近一年无食品安全事故", "dimension": "health", "points": 0, "veto": True},
]  # fmt: skip

TEMPLATES: list[dict[str, Any]] = [
    {
        "code": ROUTINE_CODE,
        "version": 1,
        "title": "托育机构日常监督检查表",
        "kind": "routine",
        "items": ROUTINE_ITEMS,
        "settings": {},
        "published": True,
    },
    {
        "code": QUALITY_CODE,
        "version": 1,
        "title": "托育机构质量评估表（WS/T 821—2023）",
        "kind": "quality",
        "items": QUALITY_ITEMS,
        "settings": {"dimensions": QUALITY_DIMENSIONS, "total_points": 1000},
        "published": True,
    },
]


def items_for(
    template: ChecklistTemplate, region_code: str, on: date | None = None
) -> list[dict[str, Any]]:
    """The template's national items, then the region's own (rule `checklist_items`, in force
    on the day of the visit) on a routine checklist; each local item carries its document."""
    items = list(template.items)
    if template.kind != "routine":
        return items
    row = rules.resolved("checklist_items", region_code, on)
    if row is None:
        return items
    national = {item["code"] for item in items}
    items.extend(
        {"code": entry["code"], "text": entry["text"], "basis": entry.get("basis") or row.basis,
         "local": True}
        for entry in row.value
        if entry["code"] not in national
    )  # fmt: skip
    return items
