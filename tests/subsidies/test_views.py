"""Each subsidy page renders for its role; forms go through the services; scope is enforced."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from subsidies.models import Claim, ClaimStatus, PaymentBatch, SchemeKind
from subsidies.services.batches import create_batch
from subsidies.services.claims import approve_claim, submit_claim
from tests.subsidies.conftest import CHILD, draft_family_claim


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("kind", SchemeKind.values)
def test_it_renders_the_claim_list_and_each_new_claim_form_for_operators(
    operator, filing, schemes, kind
) -> None:
    client = browser(operator)
    assert client.get(reverse("subsidy-claims")).status_code == 200
    page = client.get(reverse("subsidy-claim-new", args=[kind]))
    assert page.status_code == 200
    assert 'for="id_filing"' in page.content.decode()


def test_it_creates_a_family_fee_claim_from_the_form(operator, filing, schemes) -> None:
    response = browser(operator).post(
        reverse("subsidy-claim-new", args=["family_fee"]),
        {
            "filing": filing.pk,
            "scheme": schemes[SchemeKind.FAMILY_FEE].pk,
            "period_start": "2026-05",
            "period_end": "2026-06",
            "child-TOTAL_FORMS": "3",
            "child-INITIAL_FORMS": "0",
            "child-0-child_name": "小明",
            "child-0-child_id_number": CHILD,
            "child-0-birth_order": "2",
            "child-0-months": "2026-05, 2026-06",
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("subsidy-claim-detail", args=[claim.pk])
    assert str(claim.amount) == "600.00"
    detail = browser(operator).get(response["Location"]).content.decode()
    assert CHILD not in detail and CHILD[-4:] in detail


def test_it_shows_rule_errors_next_to_the_child_fields(operator, filing, schemes) -> None:
    response = browser(operator).post(
        reverse("subsidy-claim-new", args=["family_fee"]),
        {
            "filing": filing.pk,
            "scheme": schemes[SchemeKind.FAMILY_FEE].pk,
            "period_start": "2026-05",
            "period_end": "2026-06",
            "child-TOTAL_FORMS": "1",
            "child-INITIAL_FORMS": "0",
            "child-0-child_name": "小明",
            "child-0-child_id_number": "110105194912310021",
            "child-0-birth_order": "1",
            "child-0-months": "2026-05",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "身份证号码无效" in html and "二孩及以上" in html
    assert not Claim.objects.exists()


def test_it_submits_from_the_detail_page(operator, filing, schemes) -> None:
    claim = draft_family_claim(filing, operator, schemes)
    response = browser(operator).post(reverse("subsidy-claim-submit", args=[claim.pk]))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_it_shows_the_officer_queue_and_records_a_decision(
    operator, finance_officer, filing, schemes
) -> None:
    claim = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    client = browser(finance_officer)
    queue = client.get(reverse("subsidy-queue"))
    assert queue.status_code == 200 and f"#{claim.pk}" in queue.content.decode()
    detail = client.get(reverse("subsidy-claim-detail", args=[claim.pk]))
    assert 'for="id_decision"' in detail.content.decode()
    refused = client.post(
        reverse("subsidy-claim-decide", args=[claim.pk]), {"decision": "reject", "reason": ""}
    )
    assert refused.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    client.post(
        reverse("subsidy-claim-decide", args=[claim.pk]),
        {"decision": "request_changes", "reason": "请补充入托登记表"},
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHANGES_REQUESTED
    assert claim.transitions.last().reason == "请补充入托登记表"


def test_it_builds_a_batch_from_the_page_and_downloads_the_xlsx(
    operator, finance_officer, filing, schemes
) -> None:
    claim = approve_claim(
        submit_claim(draft_family_claim(filing, operator, schemes), actor=operator),
        actor=finance_officer,
    )
    client = browser(finance_officer)
    page = client.get(reverse("subsidy-batches"))
    assert page.status_code == 200 and f'value="{claim.pk}"' in page.content.decode()
    response = client.post(reverse("subsidy-batches"), {"claims": [str(claim.pk)]})
    batch = PaymentBatch.objects.get()
    assert response["Location"] == reverse("subsidy-batch-detail", args=[batch.pk])
    assert client.get(response["Location"]).status_code == 200
    export = client.get(reverse("subsidy-batch-export", args=[batch.pk]))
    sheet = load_workbook(BytesIO(export.content)).worksheets[0]
    assert list(sheet.iter_rows(values_only=True))[-1][4] == 600.0
    client.post(response["Location"], {"payment_ref": "GK-1"})
    batch.refresh_from_db()
    assert batch.status == "paid"


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("operator", "subsidy-queue"),
        ("operator", "subsidy-batches"),
        ("finance_officer", "subsidy-claims"),
        ("county_reviewer", "subsidy-queue"),
    ],
)
def test_it_forbids_pages_of_another_role(request, who, name) -> None:
    assert browser(request.getfixturevalue(who)).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("who", ["other_operator", "other_finance_officer", "outsider"])
def test_it_answers_404_for_a_claim_outside_the_jurisdiction(
    request, operator, filing, schemes, finance_officer, who
) -> None:
    claim = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    batch = create_batch([approve_claim(claim, actor=finance_officer).pk], actor=finance_officer)
    client = browser(request.getfixturevalue(who))
    assert client.get(reverse("subsidy-claim-detail", args=[claim.pk])).status_code == 404
    if who == "other_finance_officer":
        assert client.get(reverse("subsidy-batch-detail", args=[batch.pk])).status_code == 404
        assert client.get(reverse("subsidy-batch-export", args=[batch.pk])).status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(db) -> None:
    response = Client().get(reverse("subsidy-claims"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_serves_documents_only_within_the_claims_scope(
    operator, finance_officer, other_finance_officer, filing, schemes
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from subsidies.services.documents import add_document

    claim = draft_family_claim(filing, operator, schemes)
    document = add_document(
        claim,
        actor=operator,
        upload=SimpleUploadedFile(
            "登记表.png",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc```\x00\x00\x00\x04\x00\x01\xf6\x178U\x00\x00\x00\x00IEND\xaeB`\x82",
        ),
    )
    submit_claim(claim, actor=operator)
    url = reverse("subsidy-claim-document-download", args=[claim.pk, document.pk])
    for user in (operator, finance_officer):
        response = browser(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert browser(other_finance_officer).get(url).status_code == 404
