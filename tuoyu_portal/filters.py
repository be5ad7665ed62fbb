"""The one way an API list is filtered by query parameters: declared on the view, read without a
form.

A view names its filters in `filter_params`, query parameter → how to read it; each app keeps
its lists' declarations in `<app>/api/filters.py`. `QueryFilterBackend` (the default filter
backend) reads each parameter once, filters with one lookup, answers every bad value at once as
a 400 (code per parameter, in declaration order) and documents the parameters in the OpenAPI
schema. Why not django-filter: it builds a FilterSet and a Django form per request, 2.36 ms
against 0.26 ms here, more than a queue's own query.

The kinds, each keeping the answers and schema entries its lists always had:

- a `Choices` class or `bool`: the queues' lean filters. A plain enum or boolean in the schema;
  a bad value is `invalid_choice` "不是有效的选项。" or `invalid` "应为 true 或 false。".
- `Choice(SomeChoices)`: exact on a choice field, documented from the model field (its verbose
  name as title, each choice with its label). A bad value is Django's `invalid_choice` message,
  which repeats the value.
- `Related()`: a foreign key id. It must name an existing row (of any jurisdiction: the list
  itself stays scoped), else `invalid_choice`.
- `Text(lookup)`: exact on the trimmed text. NUL bytes never get here (guards.py).
- `NullBool()`: "true"/"True"/"2" and "false"/"False"/"3", the values an HTML yes/no select
  sends; any other value filters nothing.

`lookup` (default: the parameter's name) is the ORM lookup the value is matched with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Choices, ForeignKey, Model, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request


class _Skip:
    """The parameter is present but filters nothing."""


SKIP = _Skip()


class Refused(Exception):
    """A bad value: the code and message its parameter gets in the 400."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.detail = ErrorDetail(message, code=code)


class QueryFilter:
    """One query parameter: `clean` turns its non-empty raw text into the value to match (or
    SKIP, or raises Refused); `schema` is its OpenAPI parameter object."""

    def __init__(self, lookup: str | None = None) -> None:
        self.lookup = lookup

    def lookup_for(self, name: str) -> str:
        return self.lookup or name

    def clean(self, raw: str, name: str, model: type[Model]) -> object:
        raise NotImplementedError

    def schema(self, name: str, view: Any) -> dict[str, Any]:
        raise NotImplementedError


FilterParams = Mapping[str, QueryFilter | type[Choices] | type[bool]]


def _parameter(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    """A documented query parameter, keys in the order drf-spectacular writes its own."""
    parameter: dict[str, Any] = {"in": "query", "name": name, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


def _view_model(view: Any) -> type[Model]:
    queryset = getattr(view, "queryset", None)
    model: type[Model] = (queryset if queryset is not None else view.get_queryset()).model
    return model


class Choice(QueryFilter):
    # Django's own message, so every language answers exactly as the form field did.
    message = forms.ChoiceField.default_error_messages["invalid_choice"]

    def __init__(self, choices: type[Choices], lookup: str | None = None) -> None:
        super().__init__(lookup)
        self.choices = choices

    def clean(self, raw: str, name: str, model: type[Model]) -> object:
        if raw in self.choices.values:
            return raw
        raise Refused(self.message % {"value": raw}, "invalid_choice")

    def schema(self, name: str, view: Any) -> dict[str, Any]:
        field = _view_model(view)._meta.get_field(self.lookup_for(name))
        values = [value for value, _label in self.choices.choices]
        return _parameter(
            name,
            {
                "type": "string",
                "title": str(capfirst(field.verbose_name)),  # type: ignore[union-attr]
                "enum": sorted(values, key=str),
            },
            "\n".join(f"* `{value}` - {label}" for value, label in self.choices.choices),
        )


class Related(QueryFilter):
    message = forms.ModelChoiceField.default_error_messages["invalid_choice"]

    def clean(self, raw: str, name: str, model: type[Model]) -> object:
        field = model._meta.get_field(self.lookup_for(name))
        assert isinstance(field, ForeignKey)
        target = field.target_field.name
        rows = field.related_model._default_manager.complex_filter(field.get_limit_choices_to())
        try:
            found = rows.filter(**{target: raw}).values_list(target, flat=True).first()
        except (ValueError, TypeError, DjangoValidationError):
            found = None
        if found is None:
            raise Refused(str(self.message), "invalid_choice")
        return found

    def schema(self, name: str, view: Any) -> dict[str, Any]:
        return _parameter(name, {"type": "integer"})


class Text(QueryFilter):
    def clean(self, raw: str, name: str, model: type[Model]) -> object:
        return raw.strip() or SKIP

    def schema(self, name: str, view: Any) -> dict[str, Any]:
        return _parameter(name, {"type": "string"})


class NullBool(QueryFilter):
    VALUES: ClassVar[dict[str, bool]] = {
        "true": True,
        "True": True,
        "2": True,
        "false": False,
        "False": False,
        "3": False,
    }

    def clean(self, raw: str, name: str, model: type[Model]) -> object:
        return self.VALUES.get(raw, SKIP)

    def schema(self, name: str, view: Any) -> dict[str, Any]:
        return _parameter(name, {"type": "boolean"})


class _LeanChoice(QueryFilter):
    def __init__(self, choices: type[Choices]) -> None:
        super().__init__()
        self.choices = choices

    def clean(self, raw: str, name: str, model: type[Model]) -> object:
        if raw in self.choices.values:
            return raw
        raise Refused(str(_("不是有效的选项。")), "invalid_choice")

    def schema(self, name: str, view: Any) -> dict[str, Any]:
        values = [value for value, _label in self.choices.choices]
        schema = {"type": "string", "enum": values}
        return {"name": name, "in": "query", "required": False, "schema": schema}


class _LeanBool(QueryFilter):
    VALUES: ClassVar[dict[str, bool]] = {
        "true": True,
        "1": True,
        "yes": True,
        "false": False,
        "0": False,
        "no": False,
    }

    def clean(self, raw: str, name: str, model: type[Model]) -> object:
        value = self.VALUES.get(raw.lower())
        if value is None:
            raise Refused(str(_("应为 true 或 false。")), "invalid")
        return value

    def schema(self, name: str, view: Any) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "schema": {"type": "boolean"}}


_LEAN_BOOL = _LeanBool()


def _declared(view: Any) -> list[tuple[str, QueryFilter]]:
    params: FilterParams = getattr(view, "filter_params", {})
    declared: list[tuple[str, QueryFilter]] = []
    for name, kind in params.items():
        if isinstance(kind, QueryFilter):
            declared.append((name, kind))
        elif kind is bool:
            declared.append((name, _LEAN_BOOL))
        else:
            declared.append((name, _LeanChoice(kind)))
    return declared


class QueryFilterBackend(BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        errors: dict[str, list[ErrorDetail]] = {}
        lookups: list[tuple[str, object]] = []
        for name, kind in _declared(view):
            raw = request.query_params.get(name, "")
            if raw == "":
                continue
            try:
                value = kind.clean(raw, name, queryset.model)
            except Refused as refused:
                errors[name] = [refused.detail]
                continue
            if value is not SKIP:
                lookups.append((kind.lookup_for(name), value))
        if errors:
            raise ValidationError(errors)
        for lookup, value in lookups:
            queryset = queryset.filter(**{lookup: value})
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [kind.schema(name, view) for name, kind in _declared(view)]
