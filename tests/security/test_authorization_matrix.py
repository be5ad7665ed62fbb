"""Authorization matrix generated from the URLconf.

Every route (API, pages, admin changelists of the feature apps) and method is called by every
actor of the cast; the answer must match `access_matrix.RULES`. Objects in URLs belong to county A;
county B actors and the outsider must get 404 for all of them (zero cross-jurisdiction reads or
writes). A route without a rule fails `test_it_has_a_rule_for_every_route_and_method`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from inspections.services.complaints import submit_complaint
from registry.models import StaffMember
from tests import factories
from tests.factories import lanshan_schemes, submitted_filing
from tests.security import access_matrix as m
from tests.subsidies.conftest import draft_family_claim
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import User

ADMIN_APPS = ("registry", "inspections", "subsidies")
MISSING = 999_999  # objects the world does not hold: everyone must be refused


@dataclass(frozen=True)
class Route:
    key: str  # "api:<name>", "page:<name>" or "admin:<name>"
    route: str
    params: tuple[str, ...]
    methods: tuple[str, ...]


def _methods(callback: Any, kind: str) -> tuple[str, ...]:
    actions = getattr(callback, "actions", None)
    if actions:  # DRF viewset: the method → action map of this route
        return tuple(sorted(k.upper() for k in actions if k not in ("head", "options")))
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None and kind == "api":
        names = ("get", "post", "put", "patch", "delete")
        return tuple(n.upper() for n in names if hasattr(view_class, n))
    return ("GET", "POST") if kind == "page" else ("GET",)


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[Route]:
    routes: list[Route] = []
    for pattern in patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            routes += walk(pattern.url_patterns, text, ns)
            continue
        assert isinstance(pattern, URLPattern)
        if "(?P<format>" in text or pattern.name is None:
            continue  # DRF's ".json" suffix twins, and the admin's bare "<id>/" redirect
        if namespace == "admin":
            # Admin internals (login, password, jsi18n, add/change/history/delete) are Django's;
            # the changelists of the feature apps are ours and are checked.
            if not pattern.name.endswith("_changelist") or not pattern.name.startswith(ADMIN_APPS):
                continue
            key = f"admin:{pattern.name}"
            kind = "admin"
        else:
            kind = "api" if text.startswith("api/") else "page"
            key = f"{kind}:{pattern.name}"
        if text.startswith(("static/", "media/")):
            continue
        routes.append(
            Route(
                key, text, tuple(pattern.pattern.regex.groupindex), _methods(pattern.callback, kind)
            )
        )
    return routes


ROUTES = walk(get_resolver().url_patterns)


@pytest.mark.django_db  # tests/conftest.py loads regions for every test; it needs the test DB
def test_it_has_a_rule_for_every_route_and_method() -> None:
    missing = [
        f"{r.key} {method} ({r.route})"
        for r in ROUTES
        for method in r.methods
        if m.rule_for(r.key, method) is None
    ]
    assert not missing, "routes without an access rule in tests/security/access_matrix.py:\n" + (
        "\n".join(missing)
    )


# --------------------------------------------------------------------------------------------
# The world: one object of each kind in county A


@pytest.fixture
def world(
    operator: User,
    institution: Any,
    other_institution: Any,
    inspector: User,
    county_reviewer: User,
) -> dict[str, Any]:
    # A filed filing for supervision and subsidies; a second institution of the operator
    # carries the submitted filing the review actions act on.
    filed = factories.FiledFilingFactory(institution=institution)
    second = factories.InstitutionFactory(
        region_id="371103", owner=operator, name="岚山区二号全日制托育有限公司"
    )
    submitted = submitted_filing(operator, second)
    visit = factories.inspection(filed, inspector)
    finding = factories.finding(visit)
    complaint = submit_complaint(facility=filed.filing_number, content="午睡无人看护")
    id_number = factories.VALID_ID_NUMBER
    staff = StaffMember.objects.create(
        institution=institution,
        name="赵某",
        id_encrypted=crypto.encrypt(id_number),
        id_hash=crypto.keyed_hash(id_number),
        id_masked=crypto.mask_id(id_number),
        role="caregiver",
    )
    from registry.models import Ban

    ban = Ban.objects.create(
        name="李某",
        id_encrypted=crypto.encrypt("110105194912310029"),
        id_hash=crypto.keyed_hash("110105194912310029"),
        id_masked="110105********0029",
        legal_basis="x",
        decision_ref="岚卫〔2026〕1号",
        decided_on=date(2026, 1, 5),
        created_by=county_reviewer,
    )
    schemes = lanshan_schemes()
    claim = draft_family_claim(filed, operator, schemes)
    registration = factories.SubmittedRegistrationFactory(institution=institution)
    document = submitted.documents.first()
    return {
        "registration": registration,
        "institution": institution,
        "filing": submitted,
        "filed": filed,
        "document": document,
        "staff": staff,
        "ban": ban,
        "inspection": visit,
        "finding": finding,
        "complaint": complaint,
        "scheme": next(iter(schemes.values())),
        "claim": claim,
    }


def _object_for(key: str, route: str, world: dict[str, Any]) -> Any:
    """The county A object a route's <pk> refers to (None: the world has no such object)."""
    table = [
        ("filing-changes-api", "filing"),
        ("filing-change-create", "filed"),
        ("filing-staff", "filed"),
        ("staff", "filed"),
        ("filing-change", None),
        ("registration-import", None),
        ("registrar-import", None),
        ("health-inbox", None),
        ("enforcement", None),
        ("payment-batch", None),
        ("subsidy-batch", None),
        ("ban", "ban"),
        ("registration", "registration"),
        ("registrar-", "registration"),
        ("institution", "institution"),
        ("finding", "finding"),
        ("inspection", "inspection"),
        ("complaint", "complaint"),
        ("subsidy-scheme", "scheme"),
        ("subsidy-claim", "claim"),
        ("filing", "filing"),
        ("reviewer-filing", "filing"),
    ]
    name = key.split(":", 1)[1]
    for prefix, world_key in table:
        if name.startswith(prefix):
            return world.get(world_key) if world_key else None
    if "filings/" in route:
        return world["filing"]
    return None


def url_for(r: Route, world: dict[str, Any]) -> str:
    values: dict[str, str] = {}
    obj = _object_for(r.key, r.route, world)
    for param in r.params:
        if param in ("pk", "object_id"):
            values[param] = str(obj.pk if obj is not None else MISSING)
        elif param == "staff_id":
            values[param] = str(world["staff"].pk)
        elif param == "doc_id":
            values[param] = str(world["document"].pk)
        elif param == "document_id":
            values[param] = str(MISSING)
        elif param == "filing_number":
            values[param] = world["filed"].filing_number
        elif param == "tracking_code":
            values[param] = world["complaint"].tracking_code
        elif param == "kind":
            values[param] = "family_fee"
        elif param == "decision":
            values[param] = "approve"
        elif param == "code":
            values[param] = "371103"
        elif param == "app_label":
            values[param] = "registry"
        elif param == "file_name":  # open data files
            values[param] = "facilities.csv"
        elif param == "token":  # a forged watch token
            values[param] = "forged-token"
        else:
            raise AssertionError(f"no value for <{param}> in {r.route}")
    path = r.route
    import re

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda g: values[g.group(1)], path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda g: values[g.group(1)], path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


# One body for every write: each action's serializer takes the fields it knows, so the request
# reaches the permission and jurisdiction checks instead of stopping at "field required".
WRITE_BODY: dict[str, Any] = {
    "reason": "权限矩阵测试",
    "note": "权限矩阵测试",
    "reasons": ["权限矩阵测试"],
    "items": [{"item": "license", "note": "权限矩阵测试"}],
    "accepted": False,
    "placement_confirmed": True,
    "username": "nobody-here",
    "status": "investigating",
    "outcome": "权限矩阵测试",
    "content": "权限矩阵测试",
}
MULTIPART_ROUTES = ("documents", "rectify", "registration-import-list")


def request(client: Any, method: str, url: str, key: str, kind: str) -> Any:
    call = getattr(client, method.lower())
    if method == "GET":
        return call(url)
    if kind != "api":
        return call(url, {})
    if any(part in key for part in MULTIPART_ROUTES) and method == "POST":
        return call(url, {"kind": "license", "note": "权限矩阵测试"}, format="multipart")
    return call(url, WRITE_BODY, format="json")


def classify(response: Any) -> str:
    status = response.status_code
    if status >= 500:
        return "5xx"
    location = response.get("Location", "") if 300 <= status < 400 else ""
    if status in (401, 403, 405) or "login" in location:
        return "deny"
    if status == 404:
        return "hide"
    return "ok"


def satisfied(expected: str, got: str, status: int) -> bool:
    if got == "5xx":
        return False
    if status == 405:
        return True  # e.g. GET on a POST-only form handler: nothing to authorize or reveal
    return {
        m.OK: got == "ok",
        m.DENY: got in ("deny", "hide") or status == 400,
        m.HIDE: got == "hide",
        m.ANY: True,
    }[expected]


def actor_client(name: str, users: dict[str, User | None], kind: str) -> Any:
    user = users[name]
    if kind == "api":
        client = APIClient(raise_request_exception=False)
        if user is not None:
            client.force_authenticate(user)
        return client
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


# Roles expected to be refused go first: an allowed write may change the object's state, and a
# refusal must not depend on that state.
def _order(outcomes: dict[str, str]) -> list[str]:
    rank = {m.HIDE: 0, m.DENY: 1, m.ANY: 2, m.OK: 3}
    return sorted(m.CAST, key=lambda role: rank[outcomes[role]])


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.key}" for r in ROUTES])
def test_it_answers_every_actor_as_the_matrix_says(
    route: Route,
    world: dict[str, Any],
    operator: User,
    other_operator: User,
    registrar: User,
    other_registrar: User,
    county_reviewer: User,
    other_county_reviewer: User,
    inspector: User,
    finance_officer: User,
    supervisor: User,
    outsider: User,
) -> None:
    users: dict[str, User | None] = {
        m.ANON: None,
        m.OP: operator,
        m.OOP: other_operator,
        m.REG: registrar,
        m.OREG: other_registrar,
        m.REV: county_reviewer,
        m.OREV: other_county_reviewer,
        m.INS: inspector,
        m.FIN: finance_officer,
        m.SUP: supervisor,
        m.OUT: outsider,
    }
    url = url_for(route, world)
    kind = route.key.split(":", 1)[0]
    wrong: list[str] = []
    for method in route.methods:
        rule = m.rule_for(route.key, method)
        assert rule is not None, f"no rule for {route.key} {method}"
        outcomes = dict(rule.outcome)
        if kind == "page" and method == "POST":
            # Page forms: the denial side of the GET rule holds; allowed roles may get anything.
            outcomes = {r: (m.ANY if o == m.OK else o) for r, o in outcomes.items()}
        for role in _order(outcomes):
            client = actor_client(role, users, kind)
            response = request(client, method, url, route.key, kind)
            got = classify(response)
            if not satisfied(outcomes[role], got, response.status_code):
                wrong.append(
                    f"{method} {url} as {role}: expected {outcomes[role]}, got "
                    f"{response.status_code} ({got})"
                )
    assert not wrong, "\n".join(wrong)


# Lists: what a foreign actor may list must not contain a single county A object.
LISTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("/api/v1/registrations/", ("registration",)),
    ("/api/v1/filings/", ("filing", "filed")),
    ("/api/v1/institutions/", ("institution",)),
    ("/api/v1/inspections/", ("inspection",)),
    ("/api/v1/findings/", ("finding",)),
    ("/api/v1/complaints/", ("complaint",)),
    ("/api/v1/subsidy-claims/", ("claim",)),
    ("/api/v1/subsidy-claims/queue/", ("claim",)),
)


@pytest.mark.django_db
def test_it_lists_no_object_of_another_jurisdiction(
    world: dict[str, Any],
    other_operator: User,
    other_registrar: User,
    other_county_reviewer: User,
    outsider: User,
    operator: User,
) -> None:
    # Control: the owner does list them, so an empty answer cannot pass for a scoped one.
    own = APIClient()
    own.force_authenticate(operator)
    listed = {
        row["id"] for row in own.get("/api/v1/filings/", {"page_size": 200}).json()["results"]
    }
    assert world["filing"].pk in listed
    leaks: list[str] = []
    for actor in (other_operator, other_registrar, other_county_reviewer, outsider):
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(actor)
        for url, keys in LISTS:
            response = client.get(url, {"page_size": 200})
            assert response.status_code < 500, (url, actor.username)
            if response.status_code != 200:
                continue
            body = response.json()
            rows = body.get("results", body) if isinstance(body, dict) else body
            seen = {row.get("id") for row in rows if isinstance(row, dict)}
            for key in keys:
                if world[key].pk in seen:
                    leaks.append(f"{actor.username} sees {key} #{world[key].pk} in {url}")
    assert not leaks, "\n".join(leaks)
