"""The in-app inbox: own notifications only, mark read, header badge."""

from __future__ import annotations

import pytest
from django.test import Client

from tuoyu_portal.accounts.models import User
from tuoyu_portal.notifications.models import Notification, NotificationKind
from tuoyu_portal.notifications.services.notify import notify

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _note(user: User, key: str, link: str = "") -> Notification:
    notification = notify(
        user, kind=NotificationKind.FINDING, event_key=key, title=f"标题{key}", link=link
    )
    assert notification is not None
    return notification


def test_it_lists_only_the_users_own_notifications(operator: User, other_operator: User) -> None:
    _note(operator, "a")
    _note(other_operator, "b")

    html = _client(operator).get("/notifications/").content.decode()

    assert "标题a" in html and "标题b" not in html
    assert 'class="badge">1<' in html


def test_it_marks_one_read_and_follows_its_link(operator: User) -> None:
    notification = _note(operator, "a", link="/dashboard/")

    response = _client(operator).post(f"/notifications/{notification.pk}/read/")

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_it_answers_404_for_someone_elses_notification(
    operator: User, other_operator: User
) -> None:
    notification = _note(other_operator, "b")

    response = _client(operator).post(f"/notifications/{notification.pk}/read/")

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_it_marks_all_read(operator: User) -> None:
    _note(operator, "a")
    _note(operator, "b")

    _client(operator).post("/notifications/read-all/")

    assert not Notification.objects.filter(recipient=operator, read_at__isnull=True).exists()


def test_it_refuses_get_on_mark_read(operator: User) -> None:
    notification = _note(operator, "a")

    assert _client(operator).get(f"/notifications/{notification.pk}/read/").status_code == 405


def test_it_links_reviewers_to_the_dashboard_in_the_header(
    county_reviewer: User, operator: User
) -> None:
    assert 'href="/dashboard/"' in _client(county_reviewer).get("/notifications/").content.decode()
    assert 'href="/dashboard/"' not in _client(operator).get("/notifications/").content.decode()
