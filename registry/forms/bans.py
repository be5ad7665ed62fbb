"""Forms of the ban register pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoyu_portal import text
from tuoyu_portal.identifier_fields import IdentifierFormField
from tuoyu_portal.identifiers import IdDocumentType
from tuoyu_portal.text import validate_plain_text
from tuoyu_portal.widgets import IsoDateInput


class BanForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, validators=[validate_plain_text])
    id_document_type = forms.ChoiceField(
        label=_("证件类型"),
        choices=IdDocumentType.choices,
        initial=IdDocumentType.RESIDENT_ID,
        required=False,  # 居民身份证 when left out (older clients post no type)
    )
    id_number = IdentifierFormField(label=_("身份证号"), max_length=18)
    legal_basis = forms.CharField(
        max_length=text.LEGAL_BASIS_MAX, label=_("法律依据"), widget=forms.Textarea
    )
    decision_ref = forms.CharField(label=_("决定文书编号"), max_length=100)
    decided_on = forms.DateField(label=_("决定日期"), widget=IsoDateInput)


class BanCorrectForm(forms.Form):
    legal_basis = forms.CharField(
        max_length=text.LEGAL_BASIS_MAX, label=_("法律依据"), required=False, widget=forms.Textarea
    )
    decision_ref = forms.CharField(label=_("决定文书编号"), max_length=100, required=False)
    lift = forms.BooleanField(label=_("解除禁入（须有撤销决定）"), required=False)
    reason = forms.CharField(max_length=text.REASON_MAX, label=_("更正理由"), widget=forms.Textarea)
