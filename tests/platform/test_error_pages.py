"""404 and 500 are Chinese pages with a way back (DEBUG off, as pytest-django runs)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_a_chinese_page_with_a_way_back() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert 'href="/"' in html and 'href="/public/"' in html
    assert "Not Found" not in html


def test_a_server_error_is_a_chinese_page_with_a_way_back() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统暂时出错" in html
    assert 'href="/"' in html
    assert "Server Error" not in html
