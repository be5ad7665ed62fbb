"""Staff roster: ID checks, ban matching, one employer at a time, masking."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from registry.models import BanAlert, Filing, Institution, StaffMember
from registry.services import staff as staff_services
from registry.services.bans import create_ban
from tests.conftest import client_for
from tests.factories import FiledFilingFactory
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exceptions import DomainError

STAFF_ID = "110101199001010023"
OTHER_ID = "110101199202020025"
BANNED_ID = "110101198505050016"
PHONE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def filing(institution: Institution) -> Filing:
    return FiledFilingFactory(institution=institution)


@pytest.fixture
def other_filing(other_institution: Institution) -> Filing:
    return FiledFilingFactory(institution=other_institution)


def staff_url(filing: Filing) -> str:
    return f"/api/v1/filings/{filing.pk}/staff/"


def payload(id_number: str = STAFF_ID, **extra: object) -> dict[str, object]:
    return {
        "name": "张丽",
        "id_number": id_number,
        "role": "caregiver",
        "health_certificate_expires": str(timezone.localdate() + timedelta(days=200)),
        **extra,
    }


def codes(response: object) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]  # type: ignore[attr-defined]


def test_it_adds_staff_and_only_ever_shows_the_masked_id(operator: User, filing: Filing) -> None:
    response = client_for(operator).post(staff_url(filing), payload(), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["id_masked"] == crypto.mask_id(STAFF_ID)
    listing = client_for(operator).get(staff_url(filing))
    detail = client_for(operator).get(f"{staff_url(filing)}{response.json()['id']}/")
    for body in (response.content, listing.content, detail.content):
        text = body.decode()
        assert STAFF_ID not in text
        assert not PHONE.search(text)
    member = StaffMember.objects.get()
    assert STAFF_ID not in member.id_encrypted
    assert crypto.decrypt(member.id_encrypted) == STAFF_ID


def test_it_refuses_an_invalid_id_number_with_every_broken_rule(
    operator: User, filing: Filing
) -> None:
    response = client_for(operator).post(
        staff_url(filing), payload("110101199001010024"), format="json"
    )
    assert response.status_code == 400
    assert codes(response) == ["id_number_invalid"]
    with pytest.raises(DomainError) as caught:
        staff_services.add_staff_member(
            filing.institution,
            actor=operator,
            data={"name": "", "id_number": "123", "role": "boss"},
        )
    assert [v.code for v in caught.value.violations] == [
        "id_number_invalid",
        "required",
        "invalid_choice",
    ]
    assert not StaffMember.objects.exists()


def test_it_refuses_a_banned_person_and_keeps_the_alert(
    operator: User, filing: Filing, county_reviewer: User
) -> None:
    ban = create_ban(
        actor=county_reviewer,
        id_number=BANNED_ID,
        name="赵某",
        legal_basis="依法终身禁入",
        decision_ref="岚卫禁字〔2026〕1号",
        decided_on=timezone.localdate(),
    )
    response = client_for(operator).post(staff_url(filing), payload(BANNED_ID), format="json")
    assert response.status_code == 400
    assert codes(response) == ["banned_person"]
    assert not StaffMember.objects.exists()
    alert = BanAlert.objects.get()
    assert (alert.ban, alert.institution, alert.attempted_by) == (
        ban,
        filing.institution,
        operator,
    )
    assert list(BanAlert.objects.visible_to(county_reviewer)) == [alert]


@pytest.mark.django_db(transaction=True)
def test_it_commits_the_ban_alert_even_though_the_request_is_refused(
    operator: User, institution: Institution, county_reviewer: User
) -> None:
    filing = FiledFilingFactory(institution=institution)
    create_ban(
        actor=county_reviewer,
        id_number=BANNED_ID,
        name="赵某",
        legal_basis="依法终身禁入",
        decision_ref="岚卫禁字〔2026〕2号",
        decided_on=timezone.localdate(),
    )
    with pytest.raises(DomainError):
        staff_services.add_staff_member(filing.institution, actor=operator, data=payload(BANNED_ID))
    # No test transaction wraps this test: the alert row was really committed.
    assert BanAlert.objects.count() == 1
    # A caller's outer transaction could roll the alert back, so it is refused outright.
    with pytest.raises(RuntimeError), transaction.atomic():
        staff_services.add_staff_member(filing.institution, actor=operator, data=payload(BANNED_ID))
    assert BanAlert.objects.count() == 1


def test_it_lets_a_lifted_ban_pass(operator: User, filing: Filing, county_reviewer: User) -> None:
    from registry.services.bans import correct_ban

    ban = create_ban(
        actor=county_reviewer,
        id_number=BANNED_ID,
        name="赵某",
        legal_basis="依法终身禁入",
        decision_ref="x",
        decided_on=timezone.localdate(),
    )
    correct_ban(ban, actor=county_reviewer, changes={"active": False}, reason="行政复议撤销")
    response = client_for(operator).post(staff_url(filing), payload(BANNED_ID), format="json")
    assert response.status_code == 201


def test_it_refuses_staff_already_employed_elsewhere_until_they_leave(
    operator: User, other_operator: User, filing: Filing, other_filing: Filing
) -> None:
    first = client_for(operator).post(staff_url(filing), payload(), format="json")
    assert first.status_code == 201
    response = client_for(other_operator).post(staff_url(other_filing), payload(), format="json")
    assert response.status_code == 400
    assert codes(response) == ["staff_already_employed"]
    left = client_for(operator).delete(f"{staff_url(filing)}{first.json()['id']}/")
    assert left.status_code == 200 and left.json()["active"] is False
    again = client_for(other_operator).post(staff_url(other_filing), payload(), format="json")
    assert again.status_code == 201
    # The former employment is kept, not deleted.
    assert StaffMember.objects.count() == 2


def test_it_is_race_proof_through_the_partial_unique_constraint(
    operator: User, filing: Filing, other_institution: Institution, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff_services.add_staff_member(filing.institution, actor=operator, data=payload())
    # A concurrent request whose pre-check ran before the first insert committed:
    monkeypatch.setattr(staff_services, "_employed_somewhere", lambda id_hash: False)
    other_owner = other_institution.memberships.get().user
    with pytest.raises(DomainError) as caught:
        staff_services.add_staff_member(other_institution, actor=other_owner, data=payload())
    assert caught.value.violations[0].code == "staff_already_employed"
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffMember.objects.create(
            institution=other_institution,
            name="x",
            id_encrypted="x",
            id_hash=crypto.keyed_hash(STAFF_ID),
            id_masked="x",
            role="cook",
        )


def test_it_edits_a_member_and_never_changes_the_id(operator: User, filing: Filing) -> None:
    created = client_for(operator).post(staff_url(filing), payload(), format="json").json()
    response = client_for(operator).patch(
        f"{staff_url(filing)}{created['id']}/",
        {"role": "health_worker", "id_number": OTHER_ID},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["role"] == "health_worker"
    assert StaffMember.objects.get().id_hash == crypto.keyed_hash(STAFF_ID)


@pytest.mark.parametrize("who", ["other_operator", "other_county_reviewer", "outsider"])
def test_it_hides_the_roster_outside_jurisdiction(
    request: pytest.FixtureRequest, who: str, filing: Filing
) -> None:
    user = request.getfixturevalue(who)
    assert client_for(user).get(staff_url(filing)).status_code == 404
    assert client_for(user).post(staff_url(filing), payload(), format="json").status_code == 404


def test_it_lets_the_county_reviewer_read_but_not_write(
    county_reviewer: User, filing: Filing
) -> None:
    assert client_for(county_reviewer).get(staff_url(filing)).status_code == 200
    response = client_for(county_reviewer).post(staff_url(filing), payload(), format="json")
    assert response.status_code == 403


def test_it_renders_the_roster_page_and_adds_through_it(operator: User, filing: Filing) -> None:
    from django.test import Client

    client = Client()
    client.force_login(operator)
    url = reverse("staff-roster", args=[filing.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "张丽", "id_number": STAFF_ID, "role": "cook"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert crypto.mask_id(STAFF_ID) in page and STAFF_ID not in page
    invalid = client.post(url, {"name": "李", "id_number": "123", "role": "cook"})
    assert "身份证号码校验未通过" in invalid.content.decode()


def test_it_answers_json_with_no_plaintext_ids(operator: User, filing: Filing) -> None:
    client_for(operator).post(staff_url(filing), payload(), format="json")
    body = json.dumps(client_for(operator).get(staff_url(filing)).json())
    assert STAFF_ID not in body


def test_it_seeds_demo_staff_and_a_ban_idempotently(
    operator: User, filing: Filing, county_reviewer: User
) -> None:
    import io

    from registry.demo import staff as demo_staff
    from registry.models import Ban

    demo_staff.seed(io.StringIO())
    demo_staff.seed(io.StringIO())
    assert StaffMember.objects.filter(institution=filing.institution).count() == 3
    assert Ban.objects.count() == 1


def test_it_seeds_quietly_without_filings(db: None) -> None:
    import io

    from registry.demo import staff as demo_staff

    demo_staff.seed(io.StringIO())
    assert not StaffMember.objects.exists()


@pytest.mark.parametrize(
    "model", ["staffmember", "ban", "banalert", "filingchange", "filingversion"]
)
def test_it_renders_the_admin_lists_with_masked_ids(
    model: str, operator: User, filing: Filing, county_reviewer: User
) -> None:
    from django.test import Client

    from registry.demo import staff as demo_staff

    demo_staff.seed(__import__("io").StringIO())
    admin_user = User.objects.create_superuser("root", "root@example.invalid", "pw-root-12345")
    client = Client()
    client.force_login(admin_user)
    response = client.get(f"/admin/registry/{model}/")
    assert response.status_code == 200
    for plaintext in ("110101199001010023", "110101198505050016"):
        assert plaintext not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_simultaneous_employers_win(
    operator: User, institution: Institution, other_operator: User, other_institution: Institution
) -> None:
    import threading

    from django.db import connections

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def hire(place: Institution, owner: User) -> None:
        try:
            barrier.wait()
            staff_services.add_staff_member(place, actor=owner, data=payload())
            outcomes.append("hired")
        except DomainError as error:
            outcomes.append(error.violations[0].code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=hire, args=(institution, operator)),
        threading.Thread(target=hire, args=(other_institution, other_operator)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["hired", "staff_already_employed"]
    assert StaffMember.objects.filter(active=True).count() == 1
