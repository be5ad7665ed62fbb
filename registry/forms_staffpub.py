"""Forms of the roster, change, deregistration and ban-register pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import CareMode, StaffMember
from tuoyu_portal import text
from tuoyu_portal.text import validate_plain_text


class DateInput(forms.DateInput):
    input_type = "date"


class StaffAddForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, validators=[validate_plain_text])
    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    role = forms.ChoiceField(label=_("岗位"), choices=StaffMember.Role.choices)
    health_certificate_expires = forms.DateField(
        label=_("健康证有效期至"), required=False, widget=DateInput
    )
    background_check_date = forms.DateField(
        label=_("背景审查日期"), required=False, widget=DateInput
    )
    qualifications = forms.CharField(
        max_length=text.REASON_MAX, label=_("资格证书"), required=False, widget=forms.Textarea
    )


class StaffEditForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, validators=[validate_plain_text])
    role = forms.ChoiceField(label=_("岗位"), choices=StaffMember.Role.choices)
    health_certificate_expires = forms.DateField(
        label=_("健康证有效期至"), required=False, widget=DateInput
    )
    background_check_date = forms.DateField(
        label=_("背景审查日期"), required=False, widget=DateInput
    )
    qualifications = forms.CharField(
        max_length=text.REASON_MAX, label=_("资格证书"), required=False, widget=forms.Textarea
    )


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
    person_in_charge_id_number = forms.CharField(
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


class DeregisterForm(forms.Form):
    reason = forms.CharField(max_length=text.REASON_MAX, label=_("注销理由"), widget=forms.Textarea)
    placement_confirmed = forms.BooleanField(
        label=_("已妥善安置在托幼儿和工作人员"), required=False
    )


class BanForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, validators=[validate_plain_text])
    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    legal_basis = forms.CharField(
        max_length=text.LEGAL_BASIS_MAX, label=_("法律依据"), widget=forms.Textarea
    )
    decision_ref = forms.CharField(label=_("决定文书编号"), max_length=100)
    decided_on = forms.DateField(label=_("决定日期"), widget=DateInput)


class BanCorrectForm(forms.Form):
    legal_basis = forms.CharField(
        max_length=text.LEGAL_BASIS_MAX, label=_("法律依据"), required=False, widget=forms.Textarea
    )
    decision_ref = forms.CharField(label=_("决定文书编号"), max_length=100, required=False)
    lift = forms.BooleanField(label=_("解除禁入（须有撤销决定）"), required=False)
    reason = forms.CharField(max_length=text.REASON_MAX, label=_("更正理由"), widget=forms.Textarea)
