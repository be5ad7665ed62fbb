"""Response shapes of the open data index (api.md 1.1 "Open data")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class DistributionSerializer(serializers.Serializer[Any]):
    format = serializers.CharField()
    url = serializers.CharField()
    media_type = serializers.CharField()
    etag = serializers.CharField(allow_null=True)
    last_modified = serializers.DateTimeField(allow_null=True)
    rows = serializers.IntegerField(allow_null=True)


class DatasetOutputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    schema_version = serializers.CharField()
    fields = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]  # metaclass pops declared fields
    changelog = serializers.ListField(child=serializers.DictField())
    distributions = DistributionSerializer(many=True)


class DatasetListOutputSerializer(serializers.Serializer[Any]):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = DatasetOutputSerializer(many=True)
