"""Forms of the filing wizard and the reviewer page. Every field optional: a draft saves partial."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.materials import MATERIALS
from registry.models import CareMode, ClassType, DocumentKind, Filing, Meals, SiteTenure
from registry.services.filings import SCALAR_FIELDS, STAFF_FIELDS
from tuoyu_portal import text
from tuoyu_portal.identifier_fields import IdentifierFormField
from tuoyu_portal.text import validate_plain_text
from tuoyu_portal.widgets import IsoDateInput

if TYPE_CHECKING:
    from django.db.models import Field

FIELD_LABELS: dict[str, Any] = {
    "person_in_charge_id_number": _("负责人身份证号码"),
    "classes": _("班级设置"),
    "staff": _("人员配备"),
    # Scalar fields are concrete columns, never reverse relations.
    **{
        name: cast("Field[Any, Any]", Filing._meta.get_field(name)).verbose_name
        for name in SCALAR_FIELDS
    },
}


class FilingDraftForm(forms.Form):
    """The 备案书 in sections: 基本信息, 人员, 场地, 膳食与收费, 承诺书 (classes are a formset)."""

    # 基本信息
    person_in_charge_name = forms.CharField(
        label=_("负责人姓名"), max_length=50, required=False, validators=[validate_plain_text]
    )
    person_in_charge_id_number = IdentifierFormField(
        label=_("负责人身份证号码"),
        max_length=18,
        required=False,
        help_text=_("已保存的号码不再显示；留空表示不修改。"),
    )
    care_modes = forms.MultipleChoiceField(
        label=_("托育服务方式"),
        choices=CareMode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    places = forms.IntegerField(label=_("托位数"), min_value=0, max_value=10000, required=False)
    # 人员
    staff_caregivers = forms.IntegerField(label=_("保育人员"), min_value=0, required=False)
    staff_health_workers = forms.IntegerField(label=_("保健人员"), min_value=0, required=False)
    staff_security_guards = forms.IntegerField(label=_("保安人员"), min_value=0, required=False)
    staff_cooks = forms.IntegerField(label=_("炊事人员"), min_value=0, required=False)
    staff_managers = forms.IntegerField(label=_("管理人员"), min_value=0, required=False)
    # 场地
    building_area_m2 = forms.DecimalField(
        label=_("建筑面积（㎡）"), min_value=0, max_digits=9, decimal_places=2, required=False
    )
    indoor_area_m2 = forms.DecimalField(
        label=_("室内活动面积（㎡）"), min_value=0, max_digits=9, decimal_places=2, required=False
    )
    outdoor_area_m2 = forms.DecimalField(
        label=_("室外活动面积（㎡）"), min_value=0, max_digits=9, decimal_places=2, required=False
    )
    children_floor = forms.IntegerField(
        label=_("幼儿用房最高楼层"),
        min_value=-5,
        max_value=100,
        required=False,
        help_text=_("地下室填负数，如 -1。"),
    )
    site_tenure = forms.ChoiceField(
        label=_("场地性质"), choices=[("", "—"), *SiteTenure.choices], required=False
    )
    lease_end = forms.DateField(
        label=_("租赁到期日"),
        required=False,
        widget=IsoDateInput,
    )
    # 膳食与收费
    meals = forms.ChoiceField(label=_("膳食"), choices=Meals.choices, required=False)
    inclusive = forms.BooleanField(label=_("普惠性托育"), required=False)
    monthly_fee = forms.DecimalField(
        label=_("月收费（元）"), min_value=0, max_digits=9, decimal_places=2, required=False
    )
    # 承诺书
    commitment_accepted = forms.BooleanField(
        label=_(
            "本人承诺：所报材料真实有效；遵守托育机构设置标准和管理规范；接受卫生健康等部门监督管理；"
            "备案事项变更时及时办理变更备案。"
        ),
        required=False,
    )

    SECTIONS: tuple[tuple[Any, tuple[str, ...]], ...] = (
        (
            _("基本信息"),
            ("person_in_charge_name", "person_in_charge_id_number", "care_modes", "places"),
        ),
        (
            _("人员"),
            (
                "staff_caregivers",
                "staff_health_workers",
                "staff_security_guards",
                "staff_cooks",
                "staff_managers",
            ),
        ),
        (
            _("场地"),
            (
                "building_area_m2",
                "indoor_area_m2",
                "outdoor_area_m2",
                "children_floor",
                "site_tenure",
                "lease_end",
            ),
        ),
        (_("膳食与收费"), ("meals", "inclusive", "monthly_fee")),
        (_("承诺书"), ("commitment_accepted",)),
    )

    @classmethod
    def initial_for(cls, filing: Filing) -> dict[str, Any]:
        initial = {name: getattr(filing, name) for name in SCALAR_FIELDS}
        initial.update({column: getattr(filing, column) for column in STAFF_FIELDS.values()})
        return initial

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def to_service_data(self) -> dict[str, Any]:
        """Only what the operator sent: an untouched blank ID field keeps the stored number."""
        data = dict(self.cleaned_data)
        if not data.get("person_in_charge_id_number"):
            data.pop("person_in_charge_id_number", None)
        if not data.get("meals"):
            data.pop("meals", None)
        data["staff"] = {key: data.pop(column) or 0 for key, column in STAFF_FIELDS.items()}
        return data


class FilingClassForm(forms.Form):
    class_type = forms.ChoiceField(
        label=_("班型"), choices=[("", "—"), *ClassType.choices], required=False
    )
    children = forms.IntegerField(
        label=_("计划收托人数"), min_value=0, max_value=1000, required=False
    )
    carers = forms.IntegerField(label=_("保育人员数"), min_value=0, max_value=1000, required=False)
    min_age_months = forms.IntegerField(
        label=_("最小月龄"), min_value=0, max_value=36, required=False
    )


FilingClassFormSet = forms.formset_factory(FilingClassForm, extra=2, can_delete=True, max_num=50)


def classes_from(formset: Any) -> list[dict[str, Any]]:
    """Rows with a class type; deleted and empty rows are dropped."""
    rows: list[dict[str, Any]] = []
    for form in formset.forms:
        data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        if not data or data.get("DELETE") or not data.get("class_type"):
            continue
        rows.append(
            {
                "class_type": data["class_type"],
                "children": data.get("children") or 0,
                "carers": data.get("carers") or 0,
                "min_age_months": data.get("min_age_months"),
            }
        )
    return rows


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("文件（PDF、JPEG 或 PNG，不超过 20 MB）"))


SUPPLEMENT_CHOICES: list[tuple[str, Any]] = [
    *((m.kind, m.label) for m in MATERIALS),
    *FIELD_LABELS.items(),
]


class SupplementForm(forms.Form):
    """Itemised one-shot request: tick every item, add a note to each."""

    note = forms.CharField(
        max_length=text.NOTE_MAX,
        label=_("总体说明"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in SUPPLEMENT_CHOICES:
            self.fields[f"item_{key}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"note_{key}"] = forms.CharField(
                label=_("%(label)s：补正说明") % {"label": label}, max_length=500, required=False
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"item_{key}"], self[f"note_{key}"]) for key, _label in SUPPLEMENT_CHOICES]

    def items(self) -> list[dict[str, str]]:
        return [
            {"item": key, "note": self.cleaned_data.get(f"note_{key}", "")}
            for key, _label in SUPPLEMENT_CHOICES
            if self.cleaned_data.get(f"item_{key}")
        ]


class NonconformingForm(forms.Form):
    reasons = forms.CharField(
        max_length=text.NOTE_MAX,
        label=_("不符合设置标准的原因（每行一条，将向社会公开）"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def reason_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["reasons"].splitlines() if line.strip()]
