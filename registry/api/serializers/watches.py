"""Request shape of a watch on a public facility."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class WatchCreateInputSerializer(serializers.Serializer[Any]):
    facility = serializers.CharField(max_length=32)
    email = serializers.CharField(max_length=254)
