"""HTML forms of the registration pages. Shapes only: the rules are the service's, and a
DomainError is put back next to the field it names (`add_domain_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import CareMode, LegalNature
from tuoyu_portal import text
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.identifier_fields import CREDIT_CODE_MESSAGE, IdentifierFormField
from tuoyu_portal.text import validate_plain_text


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("机构名称"),
        max_length=100,
        validators=[validate_plain_text],
        help_text=_("本地区要求名称含“托育”并注明托育方式，如“××全日制托育有限公司”。"),
    )
    legal_nature = forms.ChoiceField(label=_("法人性质"), choices=LegalNature.choices)
    care_modes = forms.MultipleChoiceField(
        label=_("托育服务方式"), choices=CareMode.choices, widget=forms.CheckboxSelectMultiple
    )
    business_scope = forms.CharField(
        max_length=text.BUSINESS_SCOPE_MAX,
        label=_("业务范围/经营范围"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("须包含“托育服务”或“3岁以下婴幼儿照护服务”。"),
    )
    region = forms.RegexField(
        label=_("所在县区代码"),
        regex=r"^[0-9]{6}$",
        max_length=6,
        help_text=_("6位行政区划代码，如日照市岚山区为371103。"),
    )
    address = forms.CharField(
        label=_("住所/地址"), max_length=200, validators=[validate_plain_text]
    )
    legal_representative_name = forms.CharField(
        label=_("法定代表人（负责人）姓名"), max_length=50, validators=[validate_plain_text]
    )
    legal_representative_id_number = IdentifierFormField(
        label=_("法定代表人身份证号码"), max_length=18, required=True
    )
    contact_phone = forms.RegexField(label=_("联系电话"), regex=r"^[0-9+\- ]{7,20}$", max_length=20)
    credit_code = IdentifierFormField(
        rule_message=CREDIT_CODE_MESSAGE,
        label=_("统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=_("机构已取得代码的请填写；新设立的由登记机关在通过时填写。"),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # The stored number is never shown again; leaving it empty keeps it.
            field = self.fields["legal_representative_id_number"]
            field.required = False
            field.help_text = _("出于个人信息保护不再显示；留空表示不修改。")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("legal_representative_id_number"):
            data.pop("legal_representative_id_number", None)
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=text.REASON_MAX, label=_("理由"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ApproveForm(forms.Form):
    credit_code = IdentifierFormField(
        rule_message=CREDIT_CODE_MESSAGE,
        label=_("统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=_("通过登记时必须填写，并与法人性质相符（12、52、91或92开头）。"),
    )


class MemberForm(forms.Form):
    username = forms.CharField(label=_("同事的用户名"), max_length=150)


def add_domain_errors(form: forms.Form, exc: DomainError) -> None:
    """Show each violation next to the field it names, the others above the form."""
    for violation in exc.violations:
        field = violation.field if violation.field in form.fields else None
        form.add_error(field, str(violation.message))
