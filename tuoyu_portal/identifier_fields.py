"""Form and serializer fields for identifiers: they hand the services the normalised form.

Every serializer, form and admin that takes a credit code or an ID number uses these, so that
the one normaliser (`tuoyu_portal.identifiers.normalise_identifier`) runs where the value enters,
before any length check: a full-width ID padded with U+3000 is 18 characters once normalised.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.core.validators import MaxLengthValidator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from tuoyu_portal.identifiers import normalise_identifier

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # Checked as what it is mixed into; at run time a plain mixin.
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object

# Raw input longer than this is refused before normalising (it cannot shrink to a valid code).
RAW_LIMIT = 64

ID_NUMBER_MESSAGE = _("身份证号码格式不正确。")
CREDIT_CODE_MESSAGE = _("统一社会信用代码格式不正确。")


class IdentifierField(serializers.CharField):
    """A CharField whose value is normalised first; too long or not plain ASCII afterwards is a
    400 with the field's rule code (`id_number_invalid` / `credit_code_invalid`), never a 500."""

    def __init__(
        self,
        *,
        rule_code: str = "id_number_invalid",
        message: StrOrPromise = ID_NUMBER_MESSAGE,
        max_length: int = 18,
        **kwargs: Any,
    ) -> None:
        self.rule_code = rule_code
        self.rule_message = message
        super().__init__(max_length=max_length, **kwargs)
        # The length is checked on the normalised value below, with the rule code.
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, str) and len(data) > RAW_LIMIT:
            raise serializers.ValidationError(self.rule_message, code=self.rule_code)
        value = normalise_identifier(super().to_internal_value(data))
        if not value.isascii() or (self.max_length is not None and len(value) > self.max_length):
            raise serializers.ValidationError(self.rule_message, code=self.rule_code)
        return value


class IdentifierFieldSchema(OpenApiSerializerFieldExtension):
    """The schema still states the maximum (of the normalised value): the field drops its
    MaxLengthValidator, from which drf-spectacular would otherwise read it."""

    target_class = IdentifierField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = dict(build_basic_type(OpenApiTypes.STR) or {})
        if self.target.max_length is not None:
            schema["maxLength"] = self.target.max_length
        return schema


def id_number_field(**kwargs: Any) -> IdentifierField:
    return IdentifierField(rule_code="id_number_invalid", message=ID_NUMBER_MESSAGE, **kwargs)


def credit_code_field(**kwargs: Any) -> IdentifierField:
    return IdentifierField(rule_code="credit_code_invalid", message=CREDIT_CODE_MESSAGE, **kwargs)


class IdentifierFormField(forms.CharField):
    """The form counterpart: `to_python` normalises, so max_length and the service see the code."""

    def __init__(self, *, rule_message: StrOrPromise = ID_NUMBER_MESSAGE, **kwargs: Any) -> None:
        self.rule_message = rule_message
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        if isinstance(value, str) and len(value) > RAW_LIMIT:
            raise forms.ValidationError(self.rule_message, code="invalid")
        text = normalise_identifier(super().to_python(value))
        if not text.isascii():
            raise forms.ValidationError(self.rule_message, code="invalid")
        return text

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        # The browser's maxlength would count NBSP / U+3000 padding; the length is checked after
        # normalising, so give the field room for what people paste.
        if "maxlength" in attrs:
            attrs["maxlength"] = str(RAW_LIMIT)
        return attrs


class IdentifierSearchMixin(_AdminBase):
    """Admin search that also finds a credit code typed full-width or with spaces: the term is
    searched as typed and, when it differs, in its normalised form too."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        normalised = normalise_identifier(search_term)
        if normalised and normalised != search_term.strip():
            more, more_duplicates = super().get_search_results(request, queryset, normalised)
            return found | more, duplicates or more_duplicates
        return found, duplicates
