"""Every text field has a maximum length, shown in the schema (api.md 1.1)."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import client_for
from tests.factories import valid_data
from tuoyu_portal.accounts.models import User

pytestmark = pytest.mark.django_db


def _unbounded_strings(node: Any, where: str, schema: dict[str, Any]) -> list[str]:
    """String properties without maxLength in a request schema (enums and formats are bounded
    by their own rule)."""
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _unbounded_strings(schema["components"]["schemas"][name], name, schema)
    found = []
    if node.get("type") == "string" and not (
        "maxLength" in node or "enum" in node or "format" in node or node.get("readOnly")
    ):
        found.append(where)
    for key, child in (node.get("properties") or {}).items():
        found += _unbounded_strings(child, f"{where}.{key}", schema)
    for key in ("items", "additionalProperties"):
        found += _unbounded_strings(node.get(key), f"{where}[]", schema)
    for key in ("allOf", "oneOf", "anyOf"):
        for child in node.get(key) or []:
            found += _unbounded_strings(child, where, schema)
    return found


def test_every_text_field_of_every_request_body_has_a_maximum_in_the_schema() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    unbounded: list[str] = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                unbounded += [
                    f"{method.upper()} {path}: {where}"
                    for where in _unbounded_strings(content.get("schema"), "body", schema)
                ]
    assert sorted(set(unbounded)) == []


def test_a_business_scope_beyond_its_maximum_is_a_400_max_length(operator: User) -> None:
    response = client_for(operator).post(
        "/api/v1/registrations/",
        valid_data(business_scope="托育服务；" + "婴" * 10_000),
        format="json",
    )
    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [
        ("max_length", "business_scope")
    ]
    assert not response.json()["errors"][0]["message"].isascii()


def test_the_registration_rules_bound_business_scope_for_import_rows_too(db: None) -> None:
    from registry.services.registrations import RegistrationFacts, validate_registration_fields

    facts = RegistrationFacts(
        name="岚山区阳光全日制托育有限公司",
        legal_nature="for_profit",
        business_scope="托育服务" + "婴" * 2000,
        region_code="371103",
    )
    codes = [(v.code, v.field) for v in validate_registration_fields(facts)]
    assert ("max_length", "business_scope") in codes
