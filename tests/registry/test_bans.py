"""The lifetime-ban register: health reviewers only, masked, audited corrections, no deletes."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from registry.models import Ban, BanCorrection
from tests.conftest import client_for
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import User

BANNED_ID = "110101198505050016"
BAN = {
    "id_number": BANNED_ID,
    "name": "赵某",
    "legal_basis": "依法作出终身禁入决定",
    "decision_ref": "岚卫禁字〔2026〕1号",
    "decided_on": "2026-01-15",
}


def test_it_lets_any_health_reviewer_add_and_lists_masked(
    county_reviewer: User, other_county_reviewer: User
) -> None:
    response = client_for(county_reviewer).post("/api/v1/bans/", BAN, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["id_masked"] == crypto.mask_id(BANNED_ID)
    # Bans are national: the other county's bureau sees the same register.
    listing = client_for(other_county_reviewer).get("/api/v1/bans/")
    assert listing.status_code == 200
    assert [b["name"] for b in listing.json()["results"]] == ["赵某"]
    for body in (response.content, listing.content):
        assert BANNED_ID not in body.decode()
    assert BanCorrection.objects.get().reason  # the addition itself is audited


def test_it_refuses_a_second_active_ban_and_an_invalid_id(county_reviewer: User) -> None:
    client_for(county_reviewer).post("/api/v1/bans/", BAN, format="json")
    again = client_for(county_reviewer).post("/api/v1/bans/", BAN, format="json")
    assert again.status_code == 400
    assert [e["code"] for e in again.json()["errors"]] == ["ban_exists"]
    bad = client_for(county_reviewer).post(
        "/api/v1/bans/", {**BAN, "id_number": "110101198505050017"}, format="json"
    )
    assert [e["code"] for e in bad.json()["errors"]] == ["id_number_invalid"]
    assert Ban.objects.count() == 1


@pytest.mark.parametrize(
    "who", ["operator", "registrar", "inspector", "finance_officer", "supervisor"]
)
def test_it_refuses_every_other_role(request: pytest.FixtureRequest, who: str) -> None:
    user = request.getfixturevalue(who)
    assert client_for(user).get("/api/v1/bans/").status_code == 403
    assert client_for(user).post("/api/v1/bans/", BAN, format="json").status_code == 403


def test_it_refuses_anonymous_callers() -> None:
    assert client_for(None).get("/api/v1/bans/").status_code in (401, 403)


def test_it_audits_corrections_and_requires_a_reason(county_reviewer: User) -> None:
    created = client_for(county_reviewer).post("/api/v1/bans/", BAN, format="json").json()
    url = f"/api/v1/bans/{created['id']}/"
    no_reason = client_for(county_reviewer).patch(url, {"decision_ref": "新号"}, format="json")
    assert no_reason.status_code == 400
    assert Ban.objects.get().decision_ref == BAN["decision_ref"]
    fixed = client_for(county_reviewer).patch(
        url, {"decision_ref": "岚卫禁字〔2026〕2号", "reason": "文号录入错误"}, format="json"
    )
    assert fixed.status_code == 200
    correction = BanCorrection.objects.order_by("id").last()
    assert correction is not None
    assert correction.reason == "文号录入错误"
    assert correction.changes == {
        "decision_ref": {"from": "岚卫禁字〔2026〕1号", "to": "岚卫禁字〔2026〕2号"}
    }
    lifted = client_for(county_reviewer).patch(
        url, {"active": False, "reason": "复议撤销"}, format="json"
    )
    assert lifted.json()["active"] is False
    assert Ban.objects.count() == 1  # lifted, never deleted


def test_it_has_no_delete(county_reviewer: User) -> None:
    created = client_for(county_reviewer).post("/api/v1/bans/", BAN, format="json").json()
    response = client_for(county_reviewer).delete(f"/api/v1/bans/{created['id']}/")
    assert response.status_code == 405
    assert Ban.objects.count() == 1
    model_admin = admin.site._registry[Ban]
    assert model_admin.has_delete_permission(None) is False  # type: ignore[arg-type]


def test_it_renders_the_ban_register_pages_for_health_reviewers(
    county_reviewer: User, operator: User
) -> None:
    client = Client()
    client.force_login(county_reviewer)
    url = reverse("ban-register")
    assert client.get(url).status_code == 200
    response = client.post(url, {**BAN, "add": "1"})
    assert response.status_code == 302
    ban = Ban.objects.get()
    page = client.get(url).content.decode()
    assert crypto.mask_id(BANNED_ID) in page and BANNED_ID not in page
    correct = reverse("ban-correct", args=[ban.pk])
    assert client.get(correct).status_code == 200
    assert client.post(correct, {"lift": "on", "reason": "复议撤销"}).status_code == 302
    assert Ban.objects.get().active is False
    client.force_login(operator)
    assert client.get(url).status_code == 403


def test_it_shows_alerts_to_the_county_bureau_and_marks_them_seen(
    county_reviewer: User, other_county_reviewer: User, operator: User, institution: object
) -> None:
    from registry.models import BanAlert
    from registry.services.staff import add_staff_member
    from tests.factories import FiledFilingFactory
    from tuoyu_portal.exceptions import DomainError

    filing = FiledFilingFactory(institution=institution)
    client_for(county_reviewer).post("/api/v1/bans/", BAN, format="json")
    with pytest.raises(DomainError):
        add_staff_member(
            filing.institution,
            actor=operator,
            data={"name": "赵某", "id_number": BANNED_ID, "role": "cook"},
        )
    alert = BanAlert.objects.get()
    client = Client()
    client.force_login(other_county_reviewer)
    assert "赵某（" not in client.get(reverse("ban-register")).content.decode()
    assert client.post(reverse("ban-register"), {"seen": alert.pk}).status_code == 404
    client.force_login(county_reviewer)
    page = client.get(reverse("ban-register")).content.decode()
    assert filing.institution.name in page
    assert client.post(reverse("ban-register"), {"seen": alert.pk}).status_code == 302
    alert.refresh_from_db()
    assert alert.seen is True


def test_it_refuses_to_reactivate_a_ban_while_another_is_active(county_reviewer: User) -> None:
    first = client_for(county_reviewer).post("/api/v1/bans/", BAN, format="json").json()
    client_for(county_reviewer).patch(
        f"/api/v1/bans/{first['id']}/", {"active": False, "reason": "误录"}, format="json"
    )
    second = client_for(county_reviewer).post("/api/v1/bans/", BAN, format="json")
    assert second.status_code == 201
    again = client_for(county_reviewer).patch(
        f"/api/v1/bans/{first['id']}/", {"active": True, "reason": "恢复"}, format="json"
    )
    assert again.status_code == 400
    assert [e["code"] for e in again.json()["errors"]] == ["ban_exists"]
    assert Ban.objects.filter(active=True).count() == 1
