"""The inspection admin is the inspectors' product: scoping, saves through services, permissions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.test import Client

from inspections.admin import base
from inspections.admin.base import EstimatedCountPaginator, planner_estimate
from inspections.models import CreditRecord, Finding, FindingTransition, Inspection
from tests import factories as f
from tuoyu_portal.accounts.models import User

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _add_payload(filing, **extra) -> dict:
    data = {
        "filing": filing.pk,
        "kind": "routine",
        "visited_on": "2026-03-02",
        "departments": ["fire"],
        # The classes counted on the day, as the rows of the visit form.
        "observed_classes-count": "1",
        "observed_classes-0-class_type": "young_toddler",
        "observed_classes-0-children": "16",
        "observed_classes-0-carers": "3",
        "notes": "现场检查",
        "published": "on",
        "findings-TOTAL_FORMS": "1",
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "1000",
        "findings-0-rule": "管理规范 §32",
        "findings-0-severity": "major",
        "findings-0-description": "监控录像只保存了30天",
        "findings-0-deadline": "",
        "findings-0-published": "on",
    }
    data.update(extra)
    return data


def test_it_shows_the_inspector_only_own_region_rows(filing, other_filing, admin_inspector):
    from tests import factories

    other_inspector = factories.UserFactory(
        username="inspector_b", role="inspector", region_id="141023", department="health"
    )
    mine = f.inspection(filing, admin_inspector)
    theirs = f.inspection(other_filing, other_inspector)
    client = _client(admin_inspector)
    response = client.get("/admin/inspections/inspection/")
    assert response.status_code == 200
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert shown == {mine.pk}
    assert response.context["cl"].show_full_result_count is False
    # Another region's visit does not exist for this inspector: 404, as on every other surface.
    other = client.get(f"/admin/inspections/inspection/{theirs.pk}/change/")
    assert other.status_code == 404
    assert client.get(f"/admin/inspections/inspection/{mine.pk}/change/").status_code == 200


def test_it_logs_a_visit_with_an_inline_finding_through_the_services(filing, admin_inspector):
    response = _client(admin_inspector).post(
        "/admin/inspections/inspection/add/", _add_payload(filing)
    )
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    inspection = Inspection.objects.get()
    assert inspection.created_by == admin_inspector
    assert inspection.departments == ["fire", "health"]
    assert {v["rule"] for v in inspection.standards_check} == {
        "class_over_size",
        "carer_ratio_below_standard",
    }
    assert list(inspection.inspectors.all()) == [admin_inspector]
    finding = Finding.objects.get()
    # The service filled the deadline from the region rule and wrote history and credit.
    assert finding.deadline == date(2026, 3, 17)
    assert FindingTransition.objects.filter(finding=finding).count() == 1
    assert CreditRecord.objects.filter(source="finding", source_id=finding.pk).exists()
    filing.refresh_from_db()
    assert filing.latest_inspection["findings"] == 1


def test_it_saves_the_chosen_inspectors_with_the_visit_through_the_service(filing, admin_inspector):
    from tests import factories

    colleague = factories.UserFactory(
        username="inspector_a2", role="inspector", region_id="371103", department="fire"
    )
    response = _client(admin_inspector).post(
        "/admin/inspections/inspection/add/", _add_payload(filing, inspectors=[colleague.pk])
    )
    assert response.status_code == 302
    assert set(Inspection.objects.get().inspectors.all()) == {admin_inspector, colleague}


def test_it_only_offers_filings_of_the_inspectors_region(filing, other_filing, admin_inspector):
    response = _client(admin_inspector).get("/admin/inspections/inspection/add/")
    choices = {c for c, _label in response.context["adminform"].form.fields["filing"].choices if c}
    assert {int(str(c)) for c in choices} == {filing.pk}
    refused = _client(admin_inspector).post(
        "/admin/inspections/inspection/add/", _add_payload(other_filing)
    )
    assert refused.status_code == 200  # form error: not a valid choice
    assert not Inspection.objects.exists()


def test_it_shows_bad_observed_classes_as_form_errors(filing, admin_inspector):
    response = _client(admin_inspector).post(
        "/admin/inspections/inspection/add/",
        _add_payload(filing, **{"observed_classes-0-class_type": "nursery"}),
    )
    assert response.status_code == 200
    assert "observed_classes" in response.context["adminform"].form.errors
    assert not Inspection.objects.exists()


def test_it_keeps_existing_findings_read_only_in_the_inline(filing, admin_inspector):
    inspection = f.inspection(filing, admin_inspector)
    finding = f.finding(inspection)
    response = _client(admin_inspector).get(
        f"/admin/inspections/inspection/{inspection.pk}/change/"
    )
    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0]
    assert inline.has_change_permission is False
    assert finding.description in response.content.decode()


def test_it_verifies_rectifications_from_the_admin_action(filing, admin_inspector):
    finding = f.finding(f.inspection(filing, admin_inspector), status="rectification_submitted")
    response = _client(admin_inspector).post(
        "/admin/inspections/finding/",
        {"action": "accept_rectification", "_selected_action": [finding.pk]},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == "verified"
    assert finding.transitions.get().actor == admin_inspector


def test_it_schedules_a_follow_up_from_a_finding(filing, admin_inspector):
    finding = f.finding(f.inspection(filing, admin_inspector))
    _client(admin_inspector).post(
        "/admin/inspections/finding/",
        {"action": "schedule_follow_up", "_selected_action": [finding.pk]},
    )
    follow_up = Inspection.objects.get(follow_up_of=finding)
    assert follow_up.kind == "follow_up"


def test_it_filters_findings_by_overdue(filing, admin_inspector):
    late = f.finding(f.inspection(filing, admin_inspector), deadline=date(2020, 1, 1))
    f.finding(late.inspection, deadline=date(2099, 1, 1))
    response = _client(admin_inspector).get("/admin/inspections/finding/?overdue=yes")
    assert [o.pk for o in response.context["cl"].result_list] == [late.pk]


def test_it_forbids_inspectors_to_edit_filings_or_penalties(filing, admin_inspector):
    client = _client(admin_inspector)
    # Registry's FilingAdmin may or may not be registered on this branch: either way, never 200.
    assert client.get(f"/admin/registry/filing/{filing.pk}/change/").status_code in (403, 404)
    assert client.get("/admin/inspections/enforcementaction/add/").status_code == 403
    assert client.get("/admin/inspections/checklisttemplate/add/").status_code == 403
    for ban_url in ("/admin/registry/ban/add/", "/admin/inspections/ban/add/"):
        assert client.get(ban_url).status_code in (403, 404)
    assert admin_inspector.has_perm("inspections.change_inspection")
    assert not admin_inspector.has_perm("registry.change_filing")


def test_it_refuses_the_admin_to_an_operator(operator):
    response = _client(operator).get("/admin/inspections/inspection/")
    assert response.status_code == 302  # to the admin login


def test_it_rolls_back_the_visit_when_an_inline_finding_is_refused(filing, admin_inspector):
    response = _client(admin_inspector).post(
        "/admin/inspections/inspection/add/",
        _add_payload(filing, **{"findings-0-deadline": "2026-01-01"}),  # before the visit
        follow=True,
    )
    assert "整改期限不能早于检查日期" in response.content.decode()
    assert not Inspection.objects.exists() and not Finding.objects.exists()


def test_it_renders_the_finding_change_form_with_history(filing, admin_inspector, operator):
    from inspections.services import findings

    finding = f.finding(f.inspection(filing, admin_inspector))
    findings.submit_rectification(finding, actor=operator, note="已整改完毕")
    response = _client(admin_inspector).get(f"/admin/inspections/finding/{finding.pk}/change/")
    assert response.status_code == 200
    assert "已整改完毕" in response.content.decode()


def test_it_corrects_a_visit_through_the_update_service(filing, admin_inspector):
    inspection = f.inspection(filing, admin_inspector)
    data = {
        "inspectors": [admin_inspector.pk],
        "observed_classes-count": "4",
        "observed_classes-0-class_type": "infant",
        "observed_classes-0-children": "9",
        "observed_classes-0-carers": "2",
        "notes": "补充记录",
        "published": "on",
        "findings-TOTAL_FORMS": "0",
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "1000",
    }
    response = _client(admin_inspector).post(
        f"/admin/inspections/inspection/{inspection.pk}/change/", data
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.notes == "补充记录"
    assert [v["rule"] for v in inspection.standards_check] == ["carer_ratio_below_standard"]
    assert inspection.kind == "routine"  # fixed once logged
    filing.refresh_from_db()
    assert filing.latest_inspection["visited_on"] == "2026-03-02"


def test_it_filters_visits_by_department(filing, admin_inspector):
    both = f.inspection(filing, admin_inspector, departments=["health", "fire"])
    f.inspection(filing, admin_inspector)
    response = _client(admin_inspector).get("/admin/inspections/inspection/?department=fire")
    assert [o.pk for o in response.context["cl"].result_list] == [both.pk]


# ---------------------------------------------------------------------------- at scale (bench/)


def _shown(client: Client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.fixture
def visits(filing, other_filing, admin_inspector) -> dict[str, Any]:
    """A visit and a finding at each institution: 岚山区阳光… (371103) and 襄汾县春苗… (141023)."""
    mine = f.inspection(filing, admin_inspector)
    theirs = f.inspection(other_filing, admin_inspector, region_id=other_filing.region_id)
    return {
        "mine": mine,
        "theirs": theirs,
        "my_finding": f.finding(mine, severity="critical"),
        "their_finding": f.finding(theirs, rule="消防通道堵塞"),
    }


@pytest.fixture
def staff_supervisor(supervisor: User) -> User:
    """The province supervisor (370000) with read access to the admin."""
    from django.contrib.auth.models import Permission

    supervisor.is_staff = True
    supervisor.save(update_fields=["is_staff"])
    supervisor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_inspection", "view_finding"])
    )
    return supervisor


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("admin_scale", "scale@example.cn", "x")


@pytest.mark.parametrize(
    ("url", "both_counties"),
    [
        ("/admin/inspections/inspection/", True),
        ("/admin/inspections/inspection/?kind__exact=routine", True),
        (
            "/admin/inspections/inspection/?visited_on__gte=2026-03-01&visited_on__lt=2026-04-01",
            True,
        ),
        ("/admin/inspections/inspection/?q=阳光", False),
        ("/admin/inspections/inspection/?q=371103-2026&kind__exact=routine", False),
        ("/admin/inspections/finding/", True),
        ("/admin/inspections/finding/?status__exact=open", True),
        ("/admin/inspections/finding/?severity__exact=critical&status__exact=open", False),
        ("/admin/inspections/finding/?q=阳光", False),
    ],
)
@pytest.mark.parametrize("who", ["superuser", "admin_inspector", "staff_supervisor"])
def test_it_answers_the_changelists_filtered_unfiltered_and_searched(
    request: pytest.FixtureRequest,
    visits: dict[str, Any],
    url: str,
    both_counties: bool,
    who: str,
) -> None:
    mine, theirs = ("mine", "theirs") if "/inspection/" in url else ("my_finding", "their_finding")
    expected = {visits[mine].pk}
    if both_counties and who == "superuser":  # 371103 is everyone's; 141023 only the superuser's
        expected.add(visits[theirs].pk)
    assert _shown(_client(request.getfixturevalue(who)), url) == expected


@pytest.mark.parametrize("id_list_max", [5000, 0], ids=["id list", "walk"])
@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("阳", {"mine"}),  # 1 character
        ("春苗", {"theirs"}),  # 2 characters
        ("阳光全日制", {"mine"}),  # 3+ characters
        ("全日制托育", {"mine", "theirs"}),
        ("阳光 有限公司", {"mine"}),  # words are ANDed, as in Django's admin
        ("不存在的名字", set()),
    ],
)
def test_it_finds_visits_by_institution_name_substring(
    superuser: User,
    visits: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    id_list_max: int,
    term: str,
    found: set[str],
) -> None:
    # Both strategies: matching institutions' ids in the query, or walking with LIKE.
    monkeypatch.setattr(base, "SEARCH_ID_LIST_MAX", id_list_max)
    shown = _shown(_client(superuser), f"/admin/inspections/inspection/?q={term}")
    assert shown == {visits[key].pk for key in found}
    finding_keys = {{"mine": "my_finding", "theirs": "their_finding"}[key] for key in found}
    shown = _shown(_client(superuser), f"/admin/inspections/finding/?q={term}")
    assert shown == {visits[key].pk for key in finding_keys}


@pytest.mark.parametrize("id_list_max", [5000, 0], ids=["id list", "walk"])
def test_it_needs_the_whole_term_not_only_its_bigrams(
    superuser: User, admin_inspector: User, monkeypatch: pytest.MonkeyPatch, id_list_max: int
) -> None:
    from tests import factories

    monkeypatch.setattr(base, "SEARCH_ID_LIST_MAX", id_list_max)
    # 光阳阳光托育中心 holds both bigrams of 阳光阳 (光阳, 阳光) but not 阳光阳 itself.
    institution = factories.InstitutionFactory(name="光阳阳光托育中心", region_id="371103")
    visit = f.inspection(f.FiledFilingFactory(institution=institution), admin_inspector)
    url = "/admin/inspections/inspection/?q="
    assert _shown(_client(superuser), url + "阳光阳") == set()
    assert _shown(_client(superuser), url + "阳阳光") == {visit.pk}


@pytest.mark.parametrize("id_list_max", [5000, 0], ids=["id list", "walk"])
def test_it_finds_visits_by_filing_number_and_findings_by_rule(
    superuser: User, visits: dict[str, Any], monkeypatch: pytest.MonkeyPatch, id_list_max: int
) -> None:
    monkeypatch.setattr(base, "SEARCH_ID_LIST_MAX", id_list_max)
    client = _client(superuser)
    number = visits["mine"].filing.filing_number  # 371103-2026-000NN
    url = "/admin/inspections/inspection/?q="
    assert _shown(client, url + number) == {visits["mine"].pk}
    assert _shown(client, url + number[:6]) == {visits["mine"].pk}  # a prefix
    assert _shown(client, url + number[1:]) == set()  # not a prefix
    assert _shown(client, url + "2026") == set()
    url = "/admin/inspections/finding/?q="
    assert _shown(client, url + "消防") == {visits["their_finding"].pk}
    assert _shown(client, url + "管理规范 §32") == set()  # two words, ANDed
    assert _shown(client, url + '"管理规范 §32"') == {visits["my_finding"].pk}


def test_it_keeps_searches_inside_the_jurisdiction(
    visits: dict[str, Any], admin_inspector: User, staff_supervisor: User
) -> None:
    for user in (admin_inspector, staff_supervisor):
        client = _client(user)
        url = "/admin/inspections/inspection/?q="
        assert _shown(client, url + "全日制") == {visits["mine"].pk}
        assert _shown(client, url + "春苗") == set()
        assert _shown(client, url + visits["theirs"].filing.filing_number) == set()
        assert _shown(client, "/admin/inspections/finding/?q=消防") == set()


def test_it_offers_a_date_filter_instead_of_the_date_hierarchy(
    superuser: User, visits: dict[str, Any]
) -> None:
    response = _client(superuser).get("/admin/inspections/inspection/")
    assert response.context["cl"].date_hierarchy is None  # a DISTINCT over every row
    assert "visited_on__gte" in response.content.decode()
    march = "?visited_on__gte=2026-03-01&visited_on__lt=2026-04-01"
    assert len(_shown(_client(superuser), "/admin/inspections/inspection/" + march)) == 2
    april = "?visited_on__gte=2026-04-01&visited_on__lt=2026-05-01"
    assert _shown(_client(superuser), "/admin/inspections/inspection/" + april) == set()


def _timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


def test_the_paginator_counts_exactly_below_the_limit(visits: dict[str, Any], settings) -> None:
    settings.ADMIN_EXACT_COUNT_LIMIT = 10_000
    before = _timeout()
    paginator = EstimatedCountPaginator(Finding.objects.order_by("id"), 100)
    assert paginator.count == 2
    assert paginator.count_is_estimate is False
    assert _timeout() == before  # the count's own timeout does not outlive it


def test_the_paginator_shows_the_planners_estimate_above_the_limit(
    visits: dict[str, Any], settings
) -> None:
    settings.ADMIN_EXACT_COUNT_LIMIT = 0
    queryset = Finding.objects.order_by("id")
    paginator = EstimatedCountPaginator(queryset, 1)
    assert paginator.count == planner_estimate(queryset) > 0
    assert paginator.count_is_estimate is True
    # Pages past an estimate stay reachable (and are empty when it was too high).
    assert list(paginator.page(paginator.num_pages + 5).object_list) == []
    assert len(paginator.page(2).object_list) == 1


def test_the_paginator_keeps_an_estimate_when_it_was_too_low(
    visits: dict[str, Any], settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ADMIN_EXACT_COUNT_LIMIT = 1
    monkeypatch.setattr(base, "planner_estimate", lambda queryset: 0)
    paginator = EstimatedCountPaginator(Finding.objects.order_by("id"), 1)
    assert paginator.count == 2  # the bounded count stopped at limit + 1
    assert paginator.count_is_estimate is True
    assert [o.pk for o in paginator.page(2).object_list] == [visits["their_finding"].pk]


def test_the_paginator_gives_up_a_slow_exact_count(visits: dict[str, Any], settings) -> None:
    settings.ADMIN_EXACT_COUNT_LIMIT = 10_000
    settings.ADMIN_EXACT_COUNT_TIMEOUT_MS = 1
    before = _timeout()
    slow = Finding.objects.alias(
        slow=RawSQL("pg_sleep(0.05) IS NULL", [], output_field=BooleanField())
    ).filter(slow=False)
    paginator = EstimatedCountPaginator(slow.order_by("id"), 100)
    assert paginator.count == planner_estimate(slow)
    assert paginator.count_is_estimate is True
    assert _timeout() == before
    assert Finding.objects.count() == 2  # the connection is fine after the cancelled count


def test_it_labels_an_estimated_count(superuser: User, visits: dict[str, Any], settings) -> None:
    settings.ADMIN_EXACT_COUNT_LIMIT = 0
    response = _client(superuser).get("/admin/inspections/inspection/?q=阳光")
    count = response.context["cl"].result_count
    assert response.context["cl"].paginator.count_is_estimate is True
    assert f"约 {count} 条检查记录" in response.content.decode()
    assert f"约 {count} 条结果" in response.content.decode()
    settings.ADMIN_EXACT_COUNT_LIMIT = 10_000
    response = _client(superuser).get("/admin/inspections/inspection/?q=阳光")
    assert "约" not in response.content.decode().split('id="changelist"')[1]


# --------------------------------------------------------------------------- the visit form


def _inspector_models_admins() -> list[Any]:
    from django.contrib import admin as django_admin

    return [
        (model, model_admin)
        for model, model_admin in django_admin.site._registry.items()
        if model._meta.app_label == "inspections"
    ]


def test_no_admin_form_of_the_inspectors_models_offers_a_json_textarea(
    filing, admin_inspector
) -> None:
    """Every form an inspector can fill in the admin (add or change, inlines included)."""
    from django import forms
    from django.test import RequestFactory

    visit = f.inspection(filing, admin_inspector)
    f.finding(visit)
    request = RequestFactory().get("/admin/")
    request.user = admin_inspector
    checked = 0
    for model, model_admin in _inspector_models_admins():
        instance = model_admin.get_queryset(request).first()
        for obj in (None, instance):
            can_fill = (
                model_admin.has_add_permission(request)
                if obj is None
                else model_admin.has_change_permission(request, obj)
            )
            if not can_fill:
                continue
            form = model_admin.get_form(request, obj)
            inlines = model_admin.get_inline_instances(request, obj)
            formsets = [i.get_formset(request, obj).form for i in inlines]
            for form_class in [form, *formsets]:
                for name, field in form_class.base_fields.items():
                    where = f"{model.__name__}.{name}"
                    assert not isinstance(field, forms.JSONField), where
                checked += 1
    assert checked >= 4
    # And the inspector's own page, as rendered.
    html = _client(admin_inspector).get("/admin/inspections/inspection/add/").content.decode()
    assert 'name="checklist_answers"' not in html
    assert 'name="observed_classes"' not in html
    assert "视频监控24小时设防" in html  # a checklist item, as a row


def _routine(visit_form_items: dict[str, str], filing) -> dict[str, Any]:
    from inspections.models import ChecklistTemplate

    template = ChecklistTemplate.objects.get(code="routine", published=True)
    data = _add_payload(filing, checklist_template=str(template.pk))
    for key, value in visit_form_items.items():
        data[f"checklist_answers-{template.pk}-{key}"] = value
    return data


def test_the_checklist_is_filled_as_rows_and_a_failed_item_becomes_a_finding(
    filing, admin_inspector
) -> None:
    data = _routine(
        {
            "cctv_24h-result": "yes",
            "cctv_retention_90d-result": "no",
            "cctv_retention_90d-note": "录像仅保存30天",
            "cctv_retention_90d-finding": "1",
            "cctv_retention_90d-severity": "critical",
            "food_samples-result": "na",
            "fee_disclosure-note": "收费公示栏正在更换",
        },
        filing,
    )
    response = _client(admin_inspector).post("/admin/inspections/inspection/add/", data)
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    visit = Inspection.objects.get()
    assert visit.checklist_answers == {
        "cctv_24h": {"ok": True, "score": None, "note": ""},
        "cctv_retention_90d": {"ok": False, "score": None, "note": "录像仅保存30天"},
        "food_samples": {"ok": None, "score": None, "note": ""},
        "fee_disclosure": {"ok": None, "score": None, "note": "收费公示栏正在更换"},
    }
    # One finding from the inline, one from the failed checklist item with its rule filled in.
    from_item = Finding.objects.get(severity="critical")
    assert from_item.rule == "管理规范 §32"
    assert from_item.description == "录像仅保存30天"
    assert Finding.objects.count() == 2


def test_a_failed_item_not_marked_for_a_finding_makes_none(filing, admin_inspector) -> None:
    data = _routine({"cctv_retention_90d-result": "no"}, filing)
    data["findings-TOTAL_FORMS"] = "0"
    response = _client(admin_inspector).post("/admin/inspections/inspection/add/", data)
    assert response.status_code == 302
    assert not Finding.objects.exists()


def test_a_quality_visit_is_scored_and_graded_from_the_rows(filing, admin_inspector) -> None:
    from inspections.models import ChecklistTemplate

    template = ChecklistTemplate.objects.get(code="quality", published=True)
    data = _add_payload(filing, kind="quality", checklist_template=str(template.pk))
    data["findings-TOTAL_FORMS"] = "0"
    prefix = f"checklist_answers-{template.pk}"
    for item in template.items:
        if item.get("veto"):
            data[f"{prefix}-{item['code']}-result"] = "yes"
        else:
            data[f"{prefix}-{item['code']}-score"] = str(item["points"])
    response = _client(admin_inspector).post("/admin/inspections/inspection/add/", data)
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    visit = Inspection.objects.get()
    assert visit.quality_score == 1000
    assert visit.quality_grade == "A"
    # Any failed veto item grades the visit D whatever the score.
    data[f"{prefix}-veto_cctv-result"] = "no"
    data["visited_on"] = "2026-03-03"
    assert (
        _client(admin_inspector).post("/admin/inspections/inspection/add/", data).status_code == 302
    )
    assert Inspection.objects.get(visited_on=date(2026, 3, 3)).quality_grade == "D"


def test_a_score_above_the_items_points_is_a_form_error(filing, admin_inspector) -> None:
    from inspections.models import ChecklistTemplate

    template = ChecklistTemplate.objects.get(code="quality", published=True)
    data = _add_payload(filing, kind="quality", checklist_template=str(template.pk))
    data[f"checklist_answers-{template.pk}-conditions_score-score"] = "101"
    response = _client(admin_inspector).post("/admin/inspections/inspection/add/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["checklist_answers"]
    assert "0 至 100" in errors[0]
    assert not Inspection.objects.exists()


def test_the_standards_check_is_shown_in_words_beside_the_classes(filing, admin_inspector) -> None:
    client = _client(admin_inspector)
    assert (
        client.post("/admin/inspections/inspection/add/", _add_payload(filing)).status_code == 302
    )
    visit = Inspection.objects.get()
    html = client.get(f"/admin/inspections/inspection/{visit.pk}/change/").content.decode()
    assert "carer_ratio_below_standard" not in html
    assert "✗" in html and "保育人员" in html
    # The rows are filled with what was counted.
    assert 'name="observed_classes-0-children" value="16"' in html


def test_the_filing_is_found_by_name_number_or_credit_code_in_the_region_only(
    filing, other_filing, admin_inspector
) -> None:
    client = _client(admin_inspector)

    def found(term: str) -> list[str]:
        response = client.get(
            "/admin/autocomplete/",
            {
                "app_label": "inspections",
                "model_name": "inspection",
                "field_name": "filing",
                "term": term,
            },
        )
        assert response.status_code == 200
        return [r["text"] for r in response.json()["results"]]

    name = filing.institution.name
    assert found(name[:3]) == [str(filing)]
    assert name in str(filing) and filing.filing_number in str(filing)
    assert found(filing.filing_number) == [str(filing)]
    assert found(other_filing.institution.name) == []
    assert found(other_filing.filing_number) == []
    # The filing pages themselves stay closed to inspectors.
    assert client.get(f"/admin/registry/filing/{filing.pk}/change/").status_code in (403, 404)
