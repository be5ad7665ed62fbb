"""Request and response shapes of free places under a filing."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from registry.models import ClassType


class VacancyItemSerializer(serializers.Serializer[Any]):
    class_type = serializers.ChoiceField(choices=ClassType.choices)
    free_places = serializers.IntegerField(min_value=0, max_value=10000)


class VacanciesInputSerializer(serializers.Serializer[Any]):
    vacancies: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=VacancyItemSerializer(), max_length=len(ClassType.values)
    )


class VacanciesOutputSerializer(serializers.Serializer[Any]):
    filing = serializers.IntegerField()
    vacancies = VacancyItemSerializer(many=True)
    vacancies_updated_on = serializers.DateField(allow_null=True)
    vacancies_stale = serializers.BooleanField()
    filed_places = serializers.DictField(child=serializers.IntegerField())
    monthly_fee = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    inclusive = serializers.BooleanField()
