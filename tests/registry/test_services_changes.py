"""Change filings (reviewed like filings, versions kept) and deregistration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from registry.models import (
    ChangeStatus,
    Filing,
    FilingChange,
    FilingChangeTransition,
    FilingStatus,
    FilingTransition,
    FilingVersion,
    Institution,
)
from registry.services import changes as services
from tests.conftest import client_for
from tests.factories import FiledFilingFactory, FilingFactory, pdf
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exceptions import DomainError, InvalidTransition

LEGAL_BASIS = "《托育机构登记和备案办法（试行）》第十二条"
SITE_KINDS = ("site_proof", "health_evaluation", "fire_safety")
NEW_FACTS = {
    "places": 30,
    "classes": [
        {"class_type": "older_toddler", "children": 20, "carers": 3},
        {"class_type": "young_toddler", "children": 10, "carers": 2},
    ],
    "address": "日照市岚山区虎山镇",
}


@pytest.fixture
def filing(institution: Institution) -> Filing:
    # One class of 20 on 20 places: the proposals below are measured from it.
    return FiledFilingFactory(institution=institution, places=20, classes=[20])


def attach(change: FilingChange, operator: User, kinds: tuple[str, ...] = SITE_KINDS) -> None:
    for kind in kinds:
        services.add_change_document(change, actor=operator, kind=kind, upload=pdf(f"{kind}.pdf"))


def make_change(filing: Filing, operator: User, status: str = ChangeStatus.DRAFT) -> FilingChange:
    change = services.create_change(filing, actor=operator, proposed=dict(NEW_FACTS), reason="扩建")
    attach(change, operator)  # the proposal moves the site: its three materials come again
    FilingChange.objects.filter(pk=change.pk).update(status=status)
    change.refresh_from_db()
    return change


def run(target: str, change: FilingChange, operator: User, reviewer: User) -> None:
    calls: dict[str, Callable[[], Any]] = {
        ChangeStatus.SUBMITTED: lambda: services.submit_change(change, actor=operator),
        ChangeStatus.SUPPLEMENT_REQUESTED: lambda: services.request_change_supplement(
            change, actor=reviewer, note="请补充场地证明"
        ),
        ChangeStatus.ACCEPTED: lambda: services.accept_change(change, actor=reviewer),
        ChangeStatus.REJECTED: lambda: services.reject_change(
            change, actor=reviewer, reason="不符"
        ),
    }
    calls[target]()


PAIRS = [
    (source, target)
    for source in ChangeStatus.values
    for target in ChangeStatus.values
    if target != ChangeStatus.DRAFT  # drafts are only created, never entered again
]


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_it_walks_every_change_transition_pair(
    source: str, target: str, filing: Filing, operator: User, county_reviewer: User
) -> None:
    change = make_change(filing, operator, source)
    if target in FilingChange.TRANSITIONS[source]:
        run(target, change, operator, county_reviewer)
        change.refresh_from_db()
        assert change.status == target
        last = change.transitions.last()
        assert last is not None and (last.from_status, last.to_status) == (source, target)
    else:
        with pytest.raises(InvalidTransition):
            run(target, change, operator, county_reviewer)
        change.refresh_from_db()
        assert change.status == source


def test_it_applies_an_accepted_change_and_keeps_the_previous_version(
    filing: Filing, operator: User, county_reviewer: User
) -> None:
    change = make_change(filing, operator)
    services.submit_change(change, actor=operator)
    services.accept_change(change, actor=county_reviewer, note="同意")
    filing.refresh_from_db()
    assert filing.places == 30
    assert [c.children for c in filing.classes.all()] == [20, 10]
    assert filing.institution.address == "日照市岚山区虎山镇"
    version = FilingVersion.objects.get(filing=filing)
    assert version.number == 1
    assert version.facts["places"] == 20
    assert version.facts["classes"] == [
        {"class_type": "older_toddler", "children": 20, "carers": 3}
    ]
    # A second change keeps the first change's facts as version 2.
    second = services.create_change(
        filing, actor=operator, proposed={"places": 30, "care_modes": ["half_day"]}
    )
    services.submit_change(second, actor=operator)
    services.accept_change(second, actor=county_reviewer)
    assert list(filing.versions.values_list("number", "facts__places")) == [(1, 20), (2, 30)]
    assert Filing.objects.get(pk=filing.pk).care_modes == ["half_day"]


def test_it_refuses_invalid_changes_listing_every_rule(filing: Filing, operator: User) -> None:
    with pytest.raises(DomainError) as caught:
        services.create_change(
            filing,
            actor=operator,
            proposed={"places": 25, "classes": NEW_FACTS["classes"], "credit_code": "x"},
            person_in_charge_id_number="123",
        )
    assert sorted(v.code for v in caught.value.violations) == [
        "id_number_invalid",
        "invalid",
        "places_mismatch",
    ]
    assert not FilingChange.objects.exists()


def test_it_requires_places_to_match_the_filed_classes(filing: Filing, operator: User) -> None:
    with pytest.raises(DomainError) as caught:
        services.create_change(filing, actor=operator, proposed={"places": 31})
    assert [v.code for v in caught.value.violations] == ["places_mismatch"]
    assert services.create_change(filing, actor=operator, proposed={"places": 20}).pk


def test_it_allows_only_one_open_change(filing: Filing, operator: User) -> None:
    make_change(filing, operator)
    with pytest.raises(DomainError) as caught:
        make_change(filing, operator)
    assert caught.value.violations[0].code == "change_already_open"


def test_it_refuses_a_change_of_an_unfiled_filing(institution: Institution, operator: User) -> None:
    draft = FilingFactory(institution=institution)
    with pytest.raises(InvalidTransition):
        make_change(draft, operator)


def test_it_runs_the_change_review_through_the_api(
    filing: Filing,
    operator: User,
    county_reviewer: User,
    other_county_reviewer: User,
    other_operator: User,
) -> None:
    created = client_for(operator).post(
        f"/api/v1/filings/{filing.pk}/changes/",
        {
            "proposed": NEW_FACTS,
            "reason": "扩建",
            "person_in_charge_id_number": "110101199202020025",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert "110101199202020025" not in created.content.decode()
    url = f"/api/v1/filing-changes/{body['id']}/"
    # Accepting a draft is a 409.
    early = client_for(county_reviewer).post(url + "accept/", {}, format="json")
    assert early.status_code == 409
    assert early.json()["errors"][0]["code"] == "invalid_transition"
    # A new site and a new person in charge: the materials come again before submission.
    refused = client_for(operator).post(url + "submit/")
    assert refused.status_code == 400
    assert sorted(e["field"] for e in refused.json()["errors"]) == sorted(
        [*SITE_KINDS, "staff_credentials"]
    )
    assert body["required_materials"] == [*SITE_KINDS, "staff_credentials"]
    for kind in (*SITE_KINDS, "staff_credentials"):
        upload = client_for(operator).post(
            url + "documents/", {"kind": kind, "file": pdf(f"{kind}.pdf")}, format="multipart"
        )
        assert upload.status_code == 201, upload.content
    submitted = client_for(operator).post(url + "submit/")
    assert submitted.status_code == 200
    assert submitted.json()["receipt_due"] and submitted.json()["conformity_due"]
    assert submitted.json()["clocks"]["receipt_running"] is True
    assert client_for(other_county_reviewer).post(url + "accept/").status_code == 404
    assert client_for(other_operator).get(url).status_code == 404
    assert (
        client_for(other_operator).get(f"/api/v1/filings/{filing.pk}/changes/").status_code == 404
    )
    # The operator cannot review its own change.
    assert client_for(operator).post(url + "accept/").status_code == 403
    accepted = client_for(county_reviewer).post(url + "accept/", {"note": "同意"}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert [h["to_status"] for h in accepted.json()["history"]] == [
        "draft",
        "submitted",
        "accepted",
    ]
    filing.refresh_from_db()
    assert filing.person_in_charge_id_masked.startswith("110101")
    listing = client_for(county_reviewer).get(f"/api/v1/filings/{filing.pk}/changes/")
    assert [c["id"] for c in listing.json()["results"]] == [body["id"]]


@pytest.mark.parametrize("source", FilingStatus.values)
def test_it_deregisters_only_where_the_transition_table_allows(
    source: str, institution: Institution, county_reviewer: User
) -> None:
    filing = FiledFilingFactory(institution=institution, status=source)
    if Filing.TRANSITIONS[source] and FilingStatus.DEREGISTERED in Filing.TRANSITIONS[source]:
        services.deregister_filing(
            filing, actor=county_reviewer, reason="停止服务", legal_basis=LEGAL_BASIS
        )
        filing.refresh_from_db()
        assert filing.status == FilingStatus.DEREGISTERED
        row = FilingTransition.objects.get(filing=filing)
        assert (row.from_status, row.to_status, row.reason) == (source, "deregistered", "停止服务")
    else:
        with pytest.raises(InvalidTransition):
            services.deregister_filing(
                filing, actor=county_reviewer, reason="停止服务", legal_basis=LEGAL_BASIS
            )


def test_it_requires_the_operator_to_confirm_placement(filing: Filing, operator: User) -> None:
    response = client_for(operator).post(
        f"/api/v1/filings/{filing.pk}/deregister/", {"reason": "停止经营"}, format="json"
    )
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == [
        "placement_not_confirmed",
        "placements_required",
    ]
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.FILED
    done = client_for(operator).post(
        f"/api/v1/filings/{filing.pk}/deregister/",
        {"reason": "停止经营", "placement_confirmed": True, "placements": []},
        format="json",
    )
    assert done.status_code == 200 and done.json()["status"] == "deregistered"
    assert FilingTransition.objects.get(filing=filing).details["placement_confirmed"] is True
    again = client_for(operator).post(
        f"/api/v1/filings/{filing.pk}/deregister/",
        {"reason": "x", "placement_confirmed": True},
        format="json",
    )
    assert again.status_code == 409


def test_it_lets_the_reviewer_deregister_with_a_reason_and_legal_ground(
    filing: Filing, operator: User, county_reviewer: User, other_county_reviewer: User
) -> None:
    open_change = make_change(filing, operator)
    url = f"/api/v1/filings/{filing.pk}/deregister/"
    assert client_for(other_county_reviewer).post(url, {"reason": "x"}).status_code == 404
    assert client_for(county_reviewer).post(url, {}, format="json").status_code == 400
    no_ground = client_for(county_reviewer).post(url, {"reason": "登记已注销"}, format="json")
    assert no_ground.status_code == 400
    assert [e["code"] for e in no_ground.json()["errors"]] == ["legal_basis_required"]
    response = client_for(county_reviewer).post(
        url, {"reason": "登记已注销", "legal_basis": LEGAL_BASIS}, format="json"
    )
    assert response.status_code == 200
    open_change.refresh_from_db()
    assert open_change.status == ChangeStatus.REJECTED
    assert FilingChangeTransition.objects.filter(change=open_change, to_status="rejected").exists()


def test_it_renders_the_change_and_closure_pages(
    filing: Filing, operator: User, county_reviewer: User
) -> None:
    client = Client()
    client.force_login(operator)
    assert client.get(reverse("filing-changes")).status_code == 200
    create = reverse("filing-change-create", args=[filing.pk])
    assert client.get(create).status_code == 200
    mismatch = client.post(create, {"places": "25", "reason": "扩班"})
    assert "托位数须与各班计划收托人数之和一致" in mismatch.content.decode()
    response = client.post(create, {"address": "日照市岚山区新址", "reason": "搬迁"})
    assert response.status_code == 302
    change = FilingChange.objects.get()
    detail = reverse("filing-change-detail", args=[change.pk])
    # A move of site without its materials stays a draft, the missing items named on the page.
    refused = client.post(detail, {"action": "submit"})
    assert refused.status_code == 200 and "缺少材料：场地证明" in refused.content.decode()
    for kind in SITE_KINDS:
        uploaded = client.post(detail, {"action": "upload", "kind": kind, "file": pdf()})
        assert uploaded.status_code == 302
    assert client.post(detail, {"action": "submit"}).status_code == 302
    dereg = reverse("filing-deregister-page", args=[filing.pk])
    page = client.post(dereg, {"reason": "停止经营"})
    assert "已妥善安置" in page.content.decode()
    client.force_login(county_reviewer)
    assert client.get(detail).status_code == 200
    assert client.post(detail, {"action": "accept", "note": "同意"}).status_code == 302
    assert Filing.objects.get(pk=filing.pk).institution.address == "日照市岚山区新址"
    assert client.get(dereg).status_code == 200


def test_it_checks_a_new_person_in_charge_against_the_ban_register(
    filing: Filing, operator: User, county_reviewer: User
) -> None:
    from registry.models import BanAlert
    from registry.services.bans import create_ban

    create_ban(
        actor=county_reviewer,
        id_number="110101198505050016",
        name="赵某",
        legal_basis="依法终身禁入",
        decision_ref="x",
        decided_on=filing.filed_on,
    )
    with pytest.raises(DomainError) as caught:
        services.create_change(
            filing,
            actor=operator,
            proposed={"person_in_charge_name": "赵某"},
            person_in_charge_id_number="110101198505050016",
        )
    assert caught.value.violations[0].code == "banned_person"
    assert BanAlert.objects.count() == 1
    assert not FilingChange.objects.exists()
