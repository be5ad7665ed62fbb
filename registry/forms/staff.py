"""Forms of the staff roster pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import StaffMember
from tuoyu_portal import text
from tuoyu_portal.identifier_fields import IdentifierFormField
from tuoyu_portal.identifiers import IdDocumentType
from tuoyu_portal.text import validate_plain_text
from tuoyu_portal.widgets import IsoDateInput


class StaffAddForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, validators=[validate_plain_text])
    id_document_type = forms.ChoiceField(
        label=_("证件类型"),
        choices=IdDocumentType.choices,
        initial=IdDocumentType.RESIDENT_ID,
        required=False,  # 居民身份证 when left out (older clients post no type)
    )
    id_number = IdentifierFormField(label=_("身份证号"), max_length=18)
    role = forms.ChoiceField(label=_("岗位"), choices=StaffMember.Role.choices)
    health_certificate_expires = forms.DateField(
        label=_("健康证有效期至"), required=False, widget=IsoDateInput
    )
    background_check_date = forms.DateField(
        label=_("背景审查日期"), required=False, widget=IsoDateInput
    )
    qualifications = forms.CharField(
        max_length=text.REASON_MAX, label=_("资格证书"), required=False, widget=forms.Textarea
    )


class StaffEditForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, validators=[validate_plain_text])
    role = forms.ChoiceField(label=_("岗位"), choices=StaffMember.Role.choices)
    health_certificate_expires = forms.DateField(
        label=_("健康证有效期至"), required=False, widget=IsoDateInput
    )
    background_check_date = forms.DateField(
        label=_("背景审查日期"), required=False, widget=IsoDateInput
    )
    qualifications = forms.CharField(
        max_length=text.REASON_MAX, label=_("资格证书"), required=False, widget=forms.Textarea
    )
