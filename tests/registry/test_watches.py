"""Watching a facility: double opt-in, change messages, one-click unsubscribe."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client

from inspections.services.enforcement import record_enforcement
from registry import tasks
from registry.models import Filing, Institution, Watch, WatchEvent
from registry.services.filings import mark_nonconforming
from registry.services.watches import set_office_watch
from subsidies.models import Claim
from tests.conftest import client_for
from tests.factories import FiledFilingFactory

WATCHES = "/api/v1/public/watches/"
ADDRESS = "parent@example.cn"


@pytest.fixture
def filing(institution: Institution) -> Filing:
    return FiledFilingFactory(institution=institution)


def _link(message, kind: str) -> str:
    return re.search(rf"https?://[^/]+(/public/watches/{kind}/[^/\s]+/)", message.body).group(1)


def _watch(filing, capture) -> Watch:
    with capture() as callbacks:
        response = Client().post(
            WATCHES,
            {"facility": filing.filing_number, "email": ADDRESS},
            content_type="application/json",
        )
    assert response.status_code == 202, response.content
    assert len(callbacks) == 1
    watch = Watch.objects.get()
    assert tasks.send_watch_confirmation(watch.pk) is True
    return watch


def _confirmed(filing, capture) -> Watch:
    watch = _watch(filing, capture)
    link = _link(mail.outbox[-1], "confirm")
    assert Client().post(link).status_code == 200
    watch.refresh_from_db()
    return watch


def test_it_answers_202_and_keeps_the_address_encrypted(
    filing, django_capture_on_commit_callbacks
) -> None:
    watch = _watch(filing, django_capture_on_commit_callbacks)
    assert ADDRESS not in watch.email_encrypted and ADDRESS not in watch.email_hash
    assert watch.confirmed_at is None
    assert mail.outbox[-1].to == [ADDRESS]


def test_it_answers_400_for_an_unknown_facility_or_a_bad_address(db: None) -> None:
    response = Client().post(
        WATCHES, {"facility": "NOPE", "email": "x"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert {e["code"] for e in response.json()["errors"]} == {"unknown_facility", "email_invalid"}
    assert not Watch.objects.exists()


def test_nothing_is_sent_before_the_double_opt_in(
    filing, county_reviewer, django_capture_on_commit_callbacks
) -> None:
    _watch(filing, django_capture_on_commit_callbacks)
    # Opening the link (a mail scanner does) does not confirm; only the button does.
    assert Client().get(_link(mail.outbox[-1], "confirm")).status_code == 200
    assert Watch.objects.get().confirmed_at is None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks():
        mark_nonconforming(filing, actor=county_reviewer, reasons=["室外面积不足"])
    event = WatchEvent.objects.get()
    assert tasks.notify_watchers(event.pk) == 0
    assert mail.outbox == []


def test_a_confirmed_watcher_hears_of_a_nonconformity_once(
    filing, county_reviewer, django_capture_on_commit_callbacks
) -> None:
    _confirmed(filing, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        mark_nonconforming(filing, actor=county_reviewer, reasons=["室外面积不足"])
    assert len(callbacks) >= 1  # delivery is queued after commit
    event = WatchEvent.objects.get(kind="nonconforming")
    assert tasks.notify_watchers(event.pk) == 1
    assert tasks.notify_watchers(event.pk) == 0  # idempotent
    [message] = mail.outbox
    assert "不符合设置标准" in message.body and "室外面积不足" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/public/watches/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert "/public/watches/unsubscribe/" in message.body


def test_a_published_suspension_is_told(
    filing, county_reviewer, django_capture_on_commit_callbacks
) -> None:
    _confirmed(filing, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks():
        record_enforcement(
            filing,
            actor=county_reviewer,
            kind="stop_service",
            legal_basis="《托育机构管理规范》",
            decision_ref="岚卫停〔2026〕1号",
            decided_on=date(2026, 6, 1),
        )
    assert WatchEvent.objects.filter(kind="suspension").count() == 1


def test_one_click_unsubscribe_deletes_the_address(
    filing, django_capture_on_commit_callbacks
) -> None:
    _confirmed(filing, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[-1], "unsubscribe")
    # RFC 8058: the mail client POSTs with no session and no CSRF token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Watch.objects.exists()
    assert Client().get(link).status_code == 404  # the link is spent with the row


def test_a_forged_token_is_404(db: None) -> None:
    assert Client().get("/public/watches/confirm/1:forged/").status_code == 404
    assert Client().post("/public/watches/unsubscribe/abc/").status_code == 404


def test_the_facility_page_form_asks_for_confirmation(
    filing, django_capture_on_commit_callbacks
) -> None:
    page = Client().get(f"/public/facilities/{filing.filing_number}/").content.decode()
    assert "关注此机构" in page and "空余托位" in page
    with django_capture_on_commit_callbacks():
        response = Client().post(
            f"/public/facilities/{filing.filing_number}/watch/", {"email": ADDRESS}
        )
    assert response.status_code == 200 and "请查收确认邮件" in response.content.decode()
    assert Watch.objects.filter(filing=filing, confirmed_at__isnull=True).count() == 1


def test_a_subsidy_office_watches_every_facility_it_pays(
    filing, operator, finance_officer, county_reviewer, django_capture_on_commit_callbacks
) -> None:
    from tests.factories import lanshan_schemes
    from tests.subsidies.conftest import draft_family_claim

    finance_officer.email = "office@example.cn"
    finance_officer.save()
    claim = draft_family_claim(filing, operator, lanshan_schemes())
    Claim.objects.filter(pk=claim.pk).update(status="approved")
    api = client_for(finance_officer)
    api.force_login(finance_officer)
    assert api.post("/subsidies/watch/", {"on": "1"}).status_code == 302
    assert Watch.objects.filter(user=finance_officer).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks():
        mark_nonconforming(filing, actor=county_reviewer, reasons=["保育人员不足"])
    assert tasks.notify_watchers(WatchEvent.objects.get().pk) == 1
    assert mail.outbox[0].to == ["office@example.cn"]
    set_office_watch(finance_officer, on=False)
    assert not Watch.objects.exists()
