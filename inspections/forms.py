"""Forms of the operator, reviewer and public pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoyu_portal import text

from .models import ComplaintStatus


class RectifyForm(forms.Form):
    note = forms.CharField(
        max_length=text.NOTE_MAX, label=_("整改说明"), widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.FileField(label=_("整改照片或PDF（可选）"), required=False)


class TriageForm(forms.Form):
    status = forms.ChoiceField(label=_("办理状态"), choices=ComplaintStatus.choices)
    outcome = forms.CharField(
        max_length=text.NOTE_MAX,
        label=_("处理结果（向投诉人公开）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(max_length=text.NOTE_MAX, label=_("内部备注"), required=False)


class PublicComplaintForm(forms.Form):
    facility = forms.CharField(label=_("机构备案编号"), max_length=32)
    content = forms.CharField(
        label=_("投诉内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    contact = forms.CharField(
        label=_("联系方式（可选，不填即匿名）"),
        max_length=100,
        required=False,
        help_text=_("您的身份和联系方式只有县级卫生健康部门可见，绝不会告知被投诉机构。"),
    )


class EnforcementReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("机构说明（将与处罚信息一并公示）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
