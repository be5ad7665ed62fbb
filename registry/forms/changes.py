"""Forms of the change-filing and deregistration pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import CareMode, DocumentKind
from tuoyu_portal import text
from tuoyu_portal.identifier_fields import IdentifierFormField
from tuoyu_portal.text import validate_plain_text


class ChangeForm(forms.Form):
    address = forms.CharField(
        label=_("新地址"), max_length=200, required=False, validators=[validate_plain_text]
    )
    places = forms.IntegerField(label=_("新托位数"), min_value=1, required=False)
    care_modes = forms.MultipleChoiceField(
        label=_("托育服务方式"),
        choices=CareMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    person_in_charge_name = forms.CharField(
        label=_("新负责人姓名"), max_length=50, required=False, validators=[validate_plain_text]
    )
    person_in_charge_id_number = IdentifierFormField(
        label=_("新负责人身份证号"), max_length=18, required=False
    )
    reason = forms.CharField(max_length=text.REASON_MAX, label=_("变更事由"), widget=forms.Textarea)

    def proposed(self) -> dict[str, object]:
        data = self.cleaned_data
        proposed: dict[str, object] = {}
        for key in ("address", "places", "care_modes", "person_in_charge_name"):
            if data.get(key) not in (None, "", []):
                proposed[key] = data[key]
        return proposed


class ReviewForm(forms.Form):
    note = forms.CharField(
        max_length=text.NOTE_MAX, label=_("审核意见 / 理由"), required=False, widget=forms.Textarea
    )


class ChangeDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("文件（PDF、JPEG或PNG）"))


class DeregisterForm(forms.Form):
    reason = forms.CharField(max_length=text.REASON_MAX, label=_("注销理由"), widget=forms.Textarea)
    placement_confirmed = forms.BooleanField(
        label=_("已妥善安置在托幼儿和工作人员"), required=False
    )
    placements = forms.CharField(
        label=_("在托幼儿去向（每行一个接收机构：机构名称 人数；没有在托幼儿时填“无”）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    legal_basis = forms.CharField(
        label=_("法律依据（卫生健康部门注销时必填）"), max_length=200, required=False
    )
    decision_ref = forms.CharField(label=_("决定文书编号"), max_length=100, required=False)

    def clean_placements(self) -> list[dict[str, object]] | None:
        """Lines "接收机构 人数" → rows; "无" → no child enrolled; blank → not stated."""
        text = self.cleaned_data.get("placements", "").strip()
        if not text:
            return None
        if text in ("无", "没有"):
            return []
        rows: list[dict[str, object]] = []
        for line in text.splitlines():
            if not line.strip():
                continue
            name, _sep, count = line.strip().rpartition(" ")
            if not name.strip() or not (count.isascii() and count.isdigit()) or int(count) < 1:
                raise forms.ValidationError(
                    _("“%(line)s”格式不正确：请写成“接收机构名称 人数”。") % {"line": line.strip()}
                )
            rows.append({"receiving_institution": name.strip(), "children": int(count)})
        return rows
