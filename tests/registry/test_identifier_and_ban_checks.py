"""Identifiers normalised at every door and bans for every person the portal names."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone
from stdnum.cn import ric

from inspections.models import CreditRecord, CreditSource
from registry.models import Ban, BanAlert, Filing, Institution, Registration, StaffMember
from registry.services import filings as filing_services
from registry.services.bans import create_ban
from tests.conftest import client_for
from tests.factories import (
    FiledFilingFactory,
    approved_registration,
    credit_code,
    good_data,
    valid_data,
)
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import User
from tuoyu_portal.notifications.models import Notification, NotificationKind

BANNED = "371103198807074517"
FULL = {ord(c): ord(c) + 0xFEE0 for c in "0123456789X"}
ARABIC_INDIC = {ord(c): 0x0660 + int(c) for c in "0123456789"}


def full_width(value: str) -> str:
    return value.translate(FULL)


def codes(response: Any) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def ban(reviewer: User, number: str = BANNED, **extra: Any) -> Ban:
    return create_ban(
        actor=reviewer,
        id_number=number,
        name="赵某",
        legal_basis="依法终身禁入",
        decision_ref="岚卫禁字〔2026〕9号",
        decided_on=timezone.localdate(),
        **extra,
    )


def staff_payload(number: str, **extra: Any) -> dict[str, Any]:
    return {"name": "张丽", "id_number": number, "role": "caregiver", **extra}


@pytest.fixture
def filing(institution: Institution) -> Filing:
    return FiledFilingFactory(institution=institution)


# --- the ban register cannot be bypassed by another form of the same ID -----------------------


def test_full_width_id_cannot_bypass_ban(
    operator: User, filing: Filing, county_reviewer: User
) -> None:
    ban(county_reviewer)
    url = f"/api/v1/filings/{filing.pk}/staff/"
    typed = full_width(BANNED[:17]) + BANNED[17]
    response = client_for(operator).post(url, staff_payload(typed), format="json")
    assert response.status_code == 400, response.content
    assert codes(response) == ["banned_person"]
    assert not StaffMember.objects.exists()
    assert BanAlert.objects.get().institution == filing.institution


@pytest.mark.parametrize(
    "typed",
    [
        "\u3000" + BANNED + "\u00a0",  # ideographic space and NBSP around it
        BANNED[:3] + "\u00b9" + BANNED[4:],  # superscript one (U+00B9) for "1"
        full_width(BANNED),
    ],
)
def test_every_form_of_a_banned_id_is_refused_on_the_roster(
    operator: User, filing: Filing, county_reviewer: User, typed: str
) -> None:
    ban(county_reviewer)
    response = client_for(operator).post(
        f"/api/v1/filings/{filing.pk}/staff/", staff_payload(typed), format="json"
    )
    assert response.status_code == 400
    assert codes(response) == ["banned_person"]


def test_a_ban_recorded_in_full_width_matches_the_ascii_id(
    operator: User, filing: Filing, county_reviewer: User
) -> None:
    response = client_for(county_reviewer).post(
        "/api/v1/bans/",
        {
            "id_number": "\u3000" + full_width(BANNED),
            "name": "赵某",
            "legal_basis": "依法终身禁入",
            "decision_ref": "岚卫禁字〔2026〕9号",
            "decided_on": "2026-01-15",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    stored = Ban.objects.get()
    assert crypto.decrypt(stored.id_encrypted) == BANNED
    assert stored.id_hash == crypto.keyed_hash(BANNED)
    again = client_for(county_reviewer).post(
        "/api/v1/bans/",
        {**response.json(), "id_number": BANNED, "legal_basis": "x", "decided_on": "2026-01-15"},
        format="json",
    )
    assert codes(again) == ["ban_exists"]
    refused = client_for(operator).post(
        f"/api/v1/filings/{filing.pk}/staff/", staff_payload(BANNED), format="json"
    )
    assert codes(refused) == ["banned_person"]


# --- what is still not ASCII is a 400 with the field's rule code, never a 500 -------------------


@pytest.mark.parametrize(
    "typed",
    [
        BANNED.translate(ARABIC_INDIC),
        BANNED[:5] + "\u0663" + BANNED[6:],
        BANNED[:4] + "\u00b2" + BANNED[5:],  # superscript two: valid digit, wrong checksum
        "\u200b" * 70,
    ],
)
def test_non_ascii_ids_are_400_at_staff_bans_and_registrations(
    operator: User, filing: Filing, county_reviewer: User, typed: str
) -> None:
    staff = client_for(operator).post(
        f"/api/v1/filings/{filing.pk}/staff/", staff_payload(typed), format="json"
    )
    assert staff.status_code == 400
    assert codes(staff) == ["id_number_invalid"]
    bans = client_for(county_reviewer).post(
        "/api/v1/bans/",
        {
            "id_number": typed,
            "name": "赵某",
            "legal_basis": "x",
            "decision_ref": "x",
            "decided_on": "2026-01-15",
        },
        format="json",
    )
    assert bans.status_code == 400
    assert codes(bans) == ["id_number_invalid"]
    registration = client_for(operator).post(
        "/api/v1/registrations/",
        valid_data(legal_representative_id_number=typed),
        format="json",
    )
    assert registration.status_code == 400
    assert "id_number_invalid" in codes(registration)
    assert not StaffMember.objects.exists() and not Ban.objects.exists()


def test_a_superscript_id_registers_as_its_ascii_form(operator: User) -> None:
    number = valid_data()["legal_representative_id_number"]
    assert number[2] == "0" and "1" in number
    position = number.index("1")
    typed = number[:position] + "\u00b9" + number[position + 1 :]
    response = client_for(operator).post(
        "/api/v1/registrations/",
        valid_data(legal_representative_id_number=typed),
        format="json",
    )
    assert response.status_code == 201, response.content
    reg = Registration.objects.get()
    assert reg.legal_representative_id_hash == crypto.keyed_hash(number)


def test_a_full_width_credit_code_is_stored_as_its_ascii_form(operator: User) -> None:
    code = credit_code(serial=7)
    typed = "\u3000" + code.translate({ord(c): ord(c) + 0xFEE0 for c in code}) + "\u00a0"
    response = client_for(operator).post(
        "/api/v1/registrations/", valid_data(credit_code=typed), format="json"
    )
    assert response.status_code == 201, response.content
    assert Registration.objects.get().credit_code == code
    bad = client_for(operator).post(
        "/api/v1/registrations/",
        valid_data(credit_code=code.translate(ARABIC_INDIC)),
        format="json",
    )
    assert bad.status_code == 400
    assert "credit_code_invalid" in codes(bad)


# --- unknown address codes warn; document types have their own checks --------------------------


def test_an_unknown_address_code_is_added_with_a_warning(operator: User, filing: Filing) -> None:
    body = "00000019900101002"
    number = body + ric.calc_check_digit(body + "0")
    response = client_for(operator).post(
        f"/api/v1/filings/{filing.pk}/staff/", staff_payload(number), format="json"
    )
    assert response.status_code == 201, response.content
    assert [w["code"] for w in response.json()["warnings"]] == ["id_address_unknown"]
    assert "行政区划" in response.json()["warnings"][0]["message"]
    known = client_for(operator).post(
        f"/api/v1/filings/{filing.pk}/staff/",
        staff_payload("110101199001010023"),
        format="json",
    )
    assert known.json()["warnings"] == []


def test_other_identity_documents_are_checked_by_their_own_format(
    operator: User, filing: Filing
) -> None:
    url = f"/api/v1/filings/{filing.pk}/staff/"
    body = "81000019900101003"
    permit = body + ric.calc_check_digit(body + "0")
    as_resident_id_of_hk = client_for(operator).post(
        url,
        staff_payload("110101199001010023", id_document_type="hmt_residence_permit"),
        format="json",
    )
    assert codes(as_resident_id_of_hk) == ["id_number_invalid"]
    ok = client_for(operator).post(
        url, staff_payload(permit, id_document_type="hmt_residence_permit"), format="json"
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["id_document_type"] == "hmt_residence_permit"
    assert ok.json()["id_document_type_display"] == "港澳台居民居住证"
    assert ok.json()["warnings"] == []
    client_for(operator).delete(f"{url}{ok.json()['id']}/")
    foreign = client_for(operator).post(
        url,
        staff_payload("USA370190010100", id_document_type="foreign_permanent_residence"),
        format="json",
    )
    assert foreign.status_code == 201, foreign.content
    as_resident = client_for(operator).post(url, staff_payload("CAN370190010100"), format="json")
    assert codes(as_resident) == ["id_number_invalid"]
    unknown = client_for(operator).post(
        url, staff_payload(permit, id_document_type="passport"), format="json"
    )
    assert unknown.status_code == 400


# --- bans for every person the portal names ---------------------------------------------------


def _ban_notifications(reviewer: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=reviewer, kind=NotificationKind.BAN_ALERT))


def test_a_banned_person_in_charge_is_refused_on_the_filing(
    operator: User, institution: Institution, county_reviewer: User
) -> None:
    ban(county_reviewer)
    registration = approved_registration(institution)
    data = good_data(person_in_charge_id_number=full_width(BANNED))
    response = client_for(operator).post(
        "/api/v1/filings/",
        {"registration": registration.pk, **{k: v for k, v in data.items() if k != "lease_end"}},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert codes(response) == ["banned_person"]
    assert response.json()["errors"][0]["field"] == "person_in_charge_id_number"
    assert not Filing.objects.exists()
    alert = BanAlert.objects.get()
    assert (alert.person_role, alert.region_id) == ("person_in_charge", institution.region_id)
    [note] = _ban_notifications(county_reviewer)
    assert "机构负责人" in note.body and BANNED not in note.body


def test_a_person_in_charge_banned_after_the_draft_is_refused_at_submit(
    operator: User, institution: Institution, county_reviewer: User
) -> None:
    registration = approved_registration(institution)
    filing = filing_services.create_filing(
        actor=operator,
        registration=registration,
        data=good_data(person_in_charge_id_number=BANNED),
    )
    ban(county_reviewer)
    response = client_for(operator).post(f"/api/v1/filings/{filing.pk}/submit/", format="json")
    assert response.status_code == 400
    assert codes(response) == ["banned_person"]
    assert Filing.objects.get(pk=filing.pk).status == "draft"
    patched = client_for(operator).patch(
        f"/api/v1/filings/{filing.pk}/",
        {"person_in_charge_id_number": " " + BANNED.lower()},
        format="json",
    )
    assert codes(patched) == ["banned_person"]


def test_a_banned_legal_representative_is_refused_on_the_registration(
    operator: User, county_reviewer: User
) -> None:
    ban(county_reviewer)
    response = client_for(operator).post(
        "/api/v1/registrations/",
        valid_data(legal_representative_id_number=full_width(BANNED)),
        format="json",
    )
    assert response.status_code == 400, response.content
    assert codes(response) == ["banned_person"]
    assert not Registration.objects.exists()
    alert = BanAlert.objects.get()
    assert alert.person_role == "legal_representative"
    assert alert.region_id == "371103" and alert.institution is None
    assert list(BanAlert.objects.visible_to(county_reviewer)) == [alert]
    assert len(_ban_notifications(county_reviewer)) == 1


def test_a_banned_new_person_in_charge_of_a_change_is_refused(
    operator: User, filing: Filing, county_reviewer: User
) -> None:
    ban(county_reviewer)
    response = client_for(operator).post(
        f"/api/v1/filings/{filing.pk}/changes/",
        {
            "proposed": {"person_in_charge_name": "赵某"},
            "person_in_charge_id_number": full_width(BANNED),
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert codes(response) == ["banned_person"]
    assert BanAlert.objects.get().person_role == "person_in_charge"


def test_a_person_in_charge_banned_after_the_change_was_opened_is_refused_at_submit(
    operator: User, filing: Filing, county_reviewer: User
) -> None:
    api = client_for(operator)
    opened = api.post(
        f"/api/v1/filings/{filing.pk}/changes/",
        {"proposed": {"person_in_charge_name": "赵某"}, "person_in_charge_id_number": BANNED},
        format="json",
    )
    assert opened.status_code == 201, opened.content
    ban(county_reviewer)
    submitted = api.post(f"/api/v1/filing-changes/{opened.json()['id']}/submit/", format="json")
    assert submitted.status_code == 400, submitted.content
    assert codes(submitted) == ["banned_person"]
    assert BanAlert.objects.get().person_role == "person_in_charge"
    assert filing.changes.get().status == "draft"


def test_recording_a_ban_alerts_every_county_where_the_person_is_active(
    operator: User,
    other_operator: User,
    filing: Filing,
    other_institution: Institution,
    county_reviewer: User,
    other_county_reviewer: User,
) -> None:
    # Staff in county A, person in charge of a filing in county B.
    client_for(operator).post(
        f"/api/v1/filings/{filing.pk}/staff/", staff_payload(full_width(BANNED)), format="json"
    )
    other = FiledFilingFactory(institution=other_institution)
    Filing.objects.filter(pk=other.pk).update(person_in_charge_id_hash=crypto.keyed_hash(BANNED))
    with TestCase.captureOnCommitCallbacks(execute=True):
        recorded = ban(county_reviewer)
    alerts = BanAlert.objects.filter(ban=recorded, kind="active")
    assert {(a.institution_id, a.person_role) for a in alerts} == {
        (filing.institution_id, "staff"),
        (other_institution.pk, "person_in_charge"),
    }
    assert len(_ban_notifications(county_reviewer)) == 1
    [note] = _ban_notifications(other_county_reviewer)
    assert other_institution.name in note.body
    assert [a.institution_id for a in BanAlert.objects.visible_to(other_county_reviewer)] == [
        other_institution.pk
    ]


def test_a_ban_writes_the_persons_credit_record(county_reviewer: User) -> None:
    recorded = ban(county_reviewer)
    record = CreditRecord.objects.get(source=CreditSource.BAN)
    assert (record.source_id, record.person_id_hash, record.person_name) == (
        recorded.pk,
        crypto.keyed_hash(BANNED),
        "赵某",
    )
    assert record.points > 0 and record.region_id == county_reviewer.region_id


def test_an_import_row_normalises_identifiers_and_refuses_a_banned_legal_representative(
    registrar: User, county_reviewer: User
) -> None:
    import csv
    import io

    from registry.services.bulk_import import import_registrations
    from tests.registry import import_files

    ban(county_reviewer)
    table, _expected = import_files.rows(3, bad_every=1000)
    table[0][7] = full_width(BANNED)  # the legal representative, full-width
    code = str(table[1][9])
    table[1][9] = "\u3000" + code.translate({ord(c): ord(c) + 0xFEE0 for c in code})
    number = str(table[2][7])
    position = number.index("1")
    table[2][7] = number[:position] + "\u00b9" + number[position + 1 :]
    batch = import_registrations(
        actor=registrar, file_name="x.csv", content=import_files.as_csv(table)
    )
    report = list(csv.reader(io.StringIO(batch.error_report)))[1:]
    assert [line[4] for line in report] == ["banned_person"]
    assert batch.approved_count == 2
    assert Registration.objects.filter(credit_code=code).exists()
    assert Registration.objects.filter(legal_representative_id_hash=crypto.keyed_hash(number))
    alert = BanAlert.objects.get()
    assert (alert.person_role, alert.region_id) == ("legal_representative", "371103")
