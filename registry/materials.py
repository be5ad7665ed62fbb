"""Filing materials (25号 §8, domain.md §2): what each is and who issues it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Material:
    kind: str
    label: str | Promise
    issuer: str | Promise  # who issues it: shown next to a missing item on the readiness page
    required: bool = True
    only_with_meals_on_site: bool = False


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


def required_kinds(meals: str) -> list[str]:
    """Kinds a filing must carry: the five always, food_license when meals are cooked on site."""
    return [
        m.kind
        for m in MATERIALS
        if m.required and (not m.only_with_meals_on_site or meals == "on_site")
    ]
