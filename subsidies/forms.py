"""HTML forms of the subsidy pages; they only shape input, the services hold the rules."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import Filing, FilingStatus
from tuoyu_portal import text
from tuoyu_portal.accounts.models import User
from tuoyu_portal.identifier_fields import IdentifierFormField
from tuoyu_portal.text import validate_plain_text

from .amounts import parse_month
from .models import Scheme, SchemeKind
from .services.claims import LineInput


def _month(value: str, field: str) -> date:
    try:
        return parse_month(value)
    except ValueError:
        raise forms.ValidationError(_("月份格式应为 YYYY-MM。"), code="invalid")


class MonthInput(forms.TextInput):
    input_type = "month"


class ClaimForm(forms.Form):
    """The head of a claim of one scheme kind; lines come from the kind-specific fields."""

    filing = forms.ModelChoiceField(queryset=Filing.objects.none(), label=_("备案机构"))
    scheme = forms.ModelChoiceField(queryset=Scheme.objects.none(), label=_("补贴标准"))
    period_start = forms.CharField(
        label=_("起始月份"), max_length=10, widget=MonthInput, help_text="YYYY-MM"
    )
    period_end = forms.CharField(
        label=_("截止月份"),
        max_length=10,
        widget=MonthInput,
        help_text=_("一次性补助与起始月份相同。"),
        required=False,
    )
    classes = forms.IntegerField(label=_("开办班级数"), min_value=1, required=False)
    places = forms.IntegerField(label=_("每月托位数"), min_value=1, required=False)

    def __init__(self, *args: Any, user: User, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        filings = Filing.objects.visible_to(user).filter(status=FilingStatus.FILED)
        # Both declared above as ModelChoiceFields.
        filing_field = cast(forms.ModelChoiceField, self.fields["filing"])
        scheme_field = cast(forms.ModelChoiceField, self.fields["scheme"])
        filing_field.queryset = filings.select_related("institution")

        def label(filing: Filing) -> str:
            return _("%(value)s（%(note)s）") % {"value": filing.institution.name, "note": filing}

        filing_field.label_from_instance = label  # type: ignore[assignment]  # Django's documented per-form override
        regions = filings.values("region_id")
        scheme_field.queryset = Scheme.objects.filter(kind=kind, region_id__in=regions)
        if kind != SchemeKind.STARTUP:
            del self.fields["classes"]
        if kind != SchemeKind.PLACE_OPERATION:
            del self.fields["places"]

    def clean_period_start(self) -> date:
        return _month(self.cleaned_data["period_start"], "period_start")

    def clean_period_end(self) -> date | None:
        value = self.cleaned_data.get("period_end")
        return _month(value, "period_end") if value else None

    def head_lines(self) -> list[LineInput]:
        if self.kind == SchemeKind.STARTUP:
            return [LineInput(classes=self.cleaned_data.get("classes"))]
        if self.kind == SchemeKind.PLACE_OPERATION:
            return [LineInput(places=self.cleaned_data.get("places"))]
        return []


class ChildForm(forms.Form):
    child_name = forms.CharField(
        label=_("幼儿姓名"), max_length=50, validators=[validate_plain_text]
    )
    child_id_number = IdentifierFormField(label=_("幼儿身份证号"), max_length=24)
    birth_order = forms.IntegerField(label=_("孩次"), min_value=1, help_text=_("2 或更大"))
    months = forms.CharField(
        label=_("在托月份"), help_text=_("YYYY-MM，多个月份用空格或逗号分隔"), max_length=400
    )
    # required where the region asks parents to confirm (the service says so).
    parent_contact = forms.CharField(
        label=_("家长手机号码或电子邮箱"),
        required=False,
        max_length=254,
        help_text=_("本地区要求家长确认在托时必填；仅用于发送确认链接，不对外显示。"),
    )

    def clean_months(self) -> list[date]:
        parts = self.cleaned_data["months"].replace("，", ",").replace(",", " ").split()
        return [_month(p, "months") for p in parts]

    def line(self) -> LineInput:
        return LineInput(
            child_name=self.cleaned_data["child_name"],
            child_id_number=self.cleaned_data["child_id_number"],
            birth_order=self.cleaned_data["birth_order"],
            months=tuple(self.cleaned_data["months"]),
            parent_contact=self.cleaned_data.get("parent_contact", ""),
        )


ChildFormSet = forms.formset_factory(ChildForm, extra=3, max_num=200)


class ReasonForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核决定"),
        choices=[
            ("approve", _("核准")),
            ("request_changes", _("退回修改")),
            ("reject", _("不予补贴")),
        ],
    )
    reason = forms.CharField(
        max_length=text.REASON_MAX,
        label=_("理由（退回、不予补贴时必填）"),
        widget=forms.Textarea,
        required=False,
    )


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("证明材料（PDF、JPEG、PNG）"))


class MarkPaidForm(forms.Form):
    payment_ref = forms.CharField(label=_("支付凭证号"), max_length=64)
