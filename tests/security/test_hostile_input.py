"""No input is a 500 : one guard per class of input, checked class by class.

Each class answered 500 (the full debug page under DEBUG) before: a NUL byte in a query or path,
1 000 nested JSON arrays, a forged cursor, a POST without the trailing slash; and a JSON body over
the size limit was an HTML page instead of the error shape.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from tests import factories
from tests.conftest import client_for
from tuoyu_portal.accounts.models import Role, User

pytestmark = pytest.mark.django_db

NESTED = "[" * 1000 + "]" * 1000


def _is_error_shape(response: Any) -> bool:
    body = response.json()
    return bool(body["errors"]) and all(
        set(e) == {"code", "message", "field"} and not str(e["message"]).isascii()
        for e in body["errors"]
    )


@pytest.fixture
def debug(settings: Any) -> None:
    settings.DEBUG = True  # the issue saw every one of these as the debug page


@pytest.mark.parametrize(
    "url",
    [
        "/public/?q=%00",
        "/public/?region=371103%00",
        "/verify/RZ%00/",
        "/public/stats/?region=%00",
        "/public/complaints/track/?code=%00",
        "/public/complaints/new/?facility=%00",
        "/api/v1/public/facilities/?q=%00",
        "/api/v1/filing-changes/?status=%00",
        "/api/v1/public/filings/RZ%00/",
    ],
)
def test_a_nul_byte_in_query_or_path_is_a_400(url: str, debug: None) -> None:
    reviewer = factories.UserFactory(role=Role.HEALTH_REVIEWER, region_id="371103")
    client = Client()
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 400, url
    if url.startswith("/api/"):
        assert response.json()["errors"][0]["code"] == "invalid_characters"
        assert _is_error_shape(response)
    else:
        assert "不允许的字符" in response.content.decode()


def _json_operations() -> list[tuple[str, str]]:
    """Every API route and the write methods it accepts, path parameters filled with 1."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {})
            if method in ("post", "put", "patch") and "application/json" in body:
                concrete = path
                for part in path.split("/"):
                    if part.startswith("{"):
                        concrete = concrete.replace(part, "1")
                found.append((method, concrete))
    return found


def test_deeply_nested_json_is_a_400_on_every_json_endpoint(debug: None) -> None:
    operator = factories.UserFactory(role=Role.OPERATOR, region_id="371103")
    registrar = factories.UserFactory(role=Role.REGISTRAR, region_id="371103", authority="scjg")
    operations = _json_operations()
    assert len(operations) > 20
    failures = []
    for user in (None, operator, registrar):
        client = client_for(user)
        for method, path in operations:
            response = getattr(client, method)(path, NESTED, content_type="application/json")
            if response.status_code >= 500 or not _is_error_shape(response):
                failures.append((method, path, response.status_code))
    assert failures == []
    # Where the body is read first (sign-in, creation) the refusal is the parse error itself.
    for user, path in ((None, "/api/v1/auth/token/"), (operator, "/api/v1/registrations/")):
        response = client_for(user).post(path, NESTED, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "parse_error"


def test_deeply_nested_json_to_the_push_receiver_is_a_400(settings: Any) -> None:
    import time

    from tuoyu_portal.exchange.signing import sign

    body = NESTED.encode()
    timestamp = str(int(time.time()))
    response = Client().post(
        "/api/v1/exchange/events/",
        body,
        content_type="application/json",
        HTTP_X_TUOYU_TIMESTAMP=timestamp,
        HTTP_X_TUOYU_SIGNATURE=sign(settings.HEALTH_DEPT_PUSH_SECRET, timestamp, body),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


def _forged(position: str) -> str:
    return base64.b64encode(f"p={position}".encode()).decode()


@pytest.mark.parametrize(
    "path,role",
    [
        ("/api/v1/registrations/", Role.REGISTRAR),
        ("/api/v1/filings/", Role.HEALTH_REVIEWER),
        ("/api/v1/inspections/", Role.INSPECTOR),
        ("/api/v1/findings/", Role.INSPECTOR),
        ("/api/v1/subsidy-claims/", Role.SUBSIDY_OFFICER),
        ("/api/v1/health-inbox/", Role.HEALTH_REVIEWER),
        ("/api/v1/complaints/", Role.HEALTH_REVIEWER),
    ],
)
@pytest.mark.parametrize("position", ["abc", "99999999999999999999999", "2026-13-45T99", "\x00"])
def test_a_forged_cursor_is_a_404_on_every_cursor_list(
    path: str, role: str, position: str, debug: None
) -> None:
    extra: dict[str, Any] = {"authority": "scjg"} if role == Role.REGISTRAR else {}
    if role == Role.INSPECTOR:
        extra.update(department="health", is_staff=True)
    user: User = factories.UserFactory(role=role, region_id="371103", **extra)
    response = client_for(user).get(path, {"cursor": _forged(position)})
    assert response.status_code in (400, 404), response.content[:300]
    assert _is_error_shape(response)


def test_a_post_without_its_trailing_slash_is_a_404_in_the_error_shape(debug: None) -> None:
    registrar = factories.UserFactory(role=Role.REGISTRAR, region_id="371103", authority="scjg")
    reg = factories.SubmittedRegistrationFactory(
        institution=factories.InstitutionFactory(region_id="371103")
    )
    response = client_for(registrar).post(
        f"/api/v1/registrations/{reg.pk}/approve", {}, format="json"
    )
    assert response.status_code == 404
    assert _is_error_shape(response)
    assert "“/”" in response.json()["errors"][0]["message"]
    # A GET still gets Django's redirect to the address with the slash.
    assert Client().get("/public").status_code == 301


def test_a_json_body_over_the_limit_is_a_413_in_the_error_shape(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    operator = factories.UserFactory(role=Role.OPERATOR, region_id="371103")
    body = '{"name": "' + "托" * 10_000 + '"}'
    response = client_for(operator).post(
        "/api/v1/registrations/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert _is_error_shape(response)
    assert response.json()["errors"][0]["code"] == "request_too_large"
    # A form-encoded body is read by Django itself, whose refusal was an HTML 400.
    form = "name=" + "x" * 20_000
    response = client_for(operator).post(
        "/api/v1/registrations/", form, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert _is_error_shape(response)
