"""Filing materials (25号 §8, domain.md §2): what each is and who issues it.

The national list is the default; a region's rules add materials (`materials_extra`, each
uploaded as 其他材料) or no longer require national ones (`materials_not_required`), as in
force on the day asked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.regions import rules

OTHER = "other"


@dataclass(frozen=True)
class Material:
    kind: str
    label: str | Promise
    issuer: str | Promise  # who issues it: shown next to a missing item on the readiness page
    required: bool = True
    only_with_meals_on_site: bool = False
    code: str = ""  # a region's own material (uploaded as 其他材料); empty for a national one

    def needed(self, meals: str) -> bool:
        return self.required and (not self.only_with_meals_on_site or meals == "on_site")


MATERIALS: tuple[Material, ...] = (
    Material(
        "license",
        _("营业执照 / 法人登记证书"),
        _(
            "登记机关（市场监管部门、民政部门或机构编制部门）；统一社会信用代码须与推送的登记信息一致"
        ),
    ),
    Material(
        "site_proof",
        _("场地证明（产权证明或租赁合同）"),
        _("不动产登记机构（产权证书）或出租方（租赁合同，剩余租期不少于3年）"),
    ),
    Material(
        "staff_credentials",
        _("工作人员专业资格证明及健康合格证明"),
        _("资格证书发证机构；健康合格证明由县级以上卫生健康部门指定的医疗卫生机构出具（每年一次）"),
    ),
    Material(
        "health_evaluation",
        _("托幼机构卫生评价报告（结论为合格）"),
        _("县级卫生健康部门指定的医疗卫生机构（妇幼保健机构）"),
    ),
    Material(
        "fire_safety",
        _("消防安全检查合格证明"),
        _("消防救援机构（或住房城乡建设部门的消防验收/备案材料）"),
    ),
    Material(
        "food_license",
        _("食品经营许可证"),
        _("市场监督管理部门（提供膳食时必备）"),
        only_with_meals_on_site=True,
    ),
    Material("other", _("其他材料"), _("按需提供"), required=False),
)

MATERIALS_BY_KIND: dict[str, Material] = {m.kind: m for m in MATERIALS}


def materials_for(region_code: str | None, on: date | None = None) -> list[Material]:
    """The national list less what the region no longer requires, then the region's own."""
    if not region_code:
        return list(MATERIALS)
    values = rules.values_for(["materials_not_required", "materials_extra"], region_code, on)
    dropped = set(values["materials_not_required"])
    found = [
        Material(m.kind, m.label, m.issuer, required=False, code=m.code) if m.kind in dropped else m
        for m in MATERIALS
    ]
    found.extend(
        Material(
            OTHER, entry["label"], entry.get("issuer") or _("按地方规定提供"), code=entry["code"]
        )
        for entry in values["materials_extra"]
    )
    return found


def required_materials(
    meals: str, region_code: str | None = None, on: date | None = None
) -> list[Material]:
    """What a filing must carry: the five always, food_license when meals are cooked on site,
    adjusted by the region's rules."""
    return [m for m in materials_for(region_code, on) if m.needed(meals)]


def required_kinds(meals: str, region_code: str | None = None, on: date | None = None) -> list[str]:
    """The document kinds to upload, once per material (其他材料 once per local material)."""
    return [m.kind for m in required_materials(meals, region_code, on)]


def missing_materials(
    meals: str, present_kinds: list[str], region_code: str | None, on: date | None = None
) -> list[Material]:
    """Required materials not covered by the uploaded documents; local materials are covered
    in order by the 其他材料 files uploaded."""
    present = Counter(present_kinds)
    missing: list[Material] = []
    for material in required_materials(meals, region_code, on):
        if present[material.kind] > 0:
            present[material.kind] -= 1
        else:
            missing.append(material)
    return missing
