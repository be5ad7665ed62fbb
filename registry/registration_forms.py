"""HTML forms of the registration pages. They check shapes only; rules live in the services so
that pages, API and the bulk import refuse the same things with the same messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import CareMode, LegalNature, Registration
from tuoyu_portal.exceptions import DomainError


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("机构名称"),
        max_length=100,
        help_text=_("例如：岚山区阳光全日制托育有限公司（本地区要求含“托育”及托育方式）"),
    )
    legal_nature = forms.ChoiceField(label=_("法人性质"), choices=LegalNature.choices)
    care_modes = forms.MultipleChoiceField(
        label=_("托育服务方式"), choices=CareMode.choices, widget=forms.CheckboxSelectMultiple
    )
    business_scope = forms.CharField(
        label=_("业务范围/经营范围"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("须包含“托育服务”或“3岁以下婴幼儿照护服务”"),
    )
    region = forms.CharField(
        label=_("所在县（市、区）代码"),
        max_length=6,
        min_length=6,
        help_text=_("6位行政区划代码，例如 371103（日照市岚山区）"),
    )
    address = forms.CharField(label=_("住所/地址"), max_length=200)
    legal_representative_name = forms.CharField(label=_("法定代表人（负责人）姓名"), max_length=50)
    legal_representative_id_number = forms.CharField(
        label=_("法定代表人身份证号码"), max_length=18, min_length=18
    )
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=_("已有主体的填写；新设立的由登记机关在登记时填写"),
    )

    def __init__(self, *args: Any, registration: Registration | None = None, **kwargs: Any):
        if registration is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": registration.name,
                "legal_nature": registration.legal_nature,
                "care_modes": registration.care_modes,
                "business_scope": registration.business_scope,
                "region": registration.region_id,
                "address": registration.address,
                "legal_representative_name": registration.legal_representative_name,
                "contact_phone": registration.contact_phone,
                "credit_code": registration.credit_code,
            }
        super().__init__(*args, **kwargs)
        if registration is not None:
            # The stored number is never shown again; leaving the field empty keeps it.
            field = self.fields["legal_representative_id_number"]
            field.required = False
            field.help_text = _("已登记：%(masked)s。留空表示不修改。") % {
                "masked": registration.legal_representative_id_masked
            }

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("legal_representative_id_number"):
            data.pop("legal_representative_id_number", None)
        return data


class ApproveForm(forms.Form):
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=_(
            "18位；前两位须与法人性质一致（事业单位12、社会服务机构52、企业91或个体工商户92）"
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("导入文件（CSV 或 XLSX）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class MemberForm(forms.Form):
    username = forms.CharField(label=_("同事的用户名"), max_length=150)


def add_domain_errors(form: forms.Form, error: DomainError) -> None:
    """Show each broken rule next to its field (or at the top when it has none)."""
    for violation in error.violations:
        field = violation.field if violation.field in form.fields else None
        form.add_error(field, str(violation.message))
