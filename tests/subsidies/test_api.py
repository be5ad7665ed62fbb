"""The subsidies API as api.md fixes it: fields, actions, error shape, jurisdiction, XLSX."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from subsidies.models import Claim, ClaimStatus, SchemeKind
from subsidies.selectors import paid_by_scheme
from subsidies.services.claims import approve_claim, submit_claim
from tests.conftest import client_for
from tests.subsidies.conftest import CHILD, draft_family_claim

CLAIMS = "/api/v1/subsidy-claims/"
BATCHES = "/api/v1/payment-batches/"


def family_payload(filing, schemes, **overrides):
    payload = {
        "filing": filing.pk,
        "scheme": schemes[SchemeKind.FAMILY_FEE].pk,
        "period_start": "2026-05",
        "period_end": "2026-08",
        "lines": [
            {
                "child_name": "小明",
                "child_id_number": CHILD,
                "birth_order": 2,
                "months": ["2026-05", "2026-06", "2026-07", "2026-08"],
            }
        ],
    }
    payload.update(overrides)
    return payload


def test_it_lists_schemes_with_decimal_string_amounts(operator, schemes) -> None:
    response = client_for(operator).get("/api/v1/subsidy-schemes/?kind=family_fee")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["region"] == "371103"
    assert row["amount"] == "300.00" and row["amount_third_plus"] == "600.00"
    assert row["valid_from"] == "2025-01-01" and row["valid_to"] is None


def test_it_creates_submits_and_approves_a_claim(
    filing, operator, finance_officer, schemes
) -> None:
    api = client_for(operator)
    created = api.post(CLAIMS, family_payload(filing, schemes), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft"
    assert body["amount"] == "1200.00"
    assert body["period_start"] == "2026-05" and body["period_end"] == "2026-08"
    [line] = body["lines"]
    assert "child_id_number" not in line
    assert line["child_id_masked"] == CHILD[:6] + "********" + CHILD[-4:]
    assert line["months"] == ["2026-05", "2026-06", "2026-07", "2026-08"]
    submitted = api.post(f"{CLAIMS}{body['id']}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    approved = client_for(finance_officer).post(f"{CLAIMS}{body['id']}/approve/", {}, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert [h["to_status"] for h in approved.json()["history"]] == [
        "draft",
        "submitted",
        "approved",
    ]


def test_it_answers_400_with_every_rule_and_creates_nothing(filing, operator, schemes) -> None:
    payload = family_payload(filing, schemes)
    payload["lines"][0].update(child_id_number="123", birth_order=1, months=["2027-01"])
    response = client_for(operator).post(CLAIMS, payload, format="json")
    assert response.status_code == 400
    codes = {e["code"] for e in response.json()["errors"]}
    assert codes == {"invalid_id_number", "invalid_birth_order", "month_outside_period"}
    assert all(e["message"] for e in response.json()["errors"])
    assert not Claim.objects.exists()


def test_it_answers_duplicate_claim_not_500_for_a_taken_child_month(
    filing, second_filing, operator, second_operator, schemes
) -> None:
    first = client_for(operator).post(CLAIMS, family_payload(filing, schemes), format="json")
    client_for(operator).post(f"{CLAIMS}{first.json()['id']}/submit/")
    api = client_for(second_operator)
    # Refused at creation already , with the code submit gives.
    response = api.post(CLAIMS, family_payload(second_filing, schemes), format="json")
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["duplicate_claim"]
    assert api.get(CLAIMS).json()["results"] == []


def test_it_answers_409_for_a_transition_the_status_does_not_allow(
    filing, operator, finance_officer, schemes
) -> None:
    claim = draft_family_claim(filing, operator, schemes)
    response = client_for(finance_officer).post(f"{CLAIMS}{claim.pk}/approve/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "invalid_transition"


def test_it_requires_a_reason_to_reject(filing, operator, finance_officer, schemes) -> None:
    claim = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    api = client_for(finance_officer)
    assert api.post(f"{CLAIMS}{claim.pk}/reject/", {"reason": ""}, format="json").status_code == 400
    response = api.post(f"{CLAIMS}{claim.pk}/reject/", {"reason": "材料不实"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    changes = client_for(finance_officer).post(
        f"{CLAIMS}{claim.pk}/request-changes/", {"reason": "x"}, format="json"
    )
    assert changes.status_code == 409


def test_it_lets_the_operator_patch_a_draft_but_not_a_submitted_claim(
    filing, operator, schemes
) -> None:
    claim = draft_family_claim(filing, operator, schemes)
    api = client_for(operator)
    response = api.patch(f"{CLAIMS}{claim.pk}/", {"period_end": "2026-07"}, format="json")
    # The lines still name June only, inside the new period: accepted and re-priced.
    assert response.status_code == 200, response.json()
    assert response.json()["period_end"] == "2026-07"
    submit_claim(claim, actor=operator)
    refused = api.patch(f"{CLAIMS}{claim.pk}/", {"period_end": "2026-06"}, format="json")
    assert refused.status_code == 409


@pytest.mark.parametrize("who", ["other_finance_officer", "other_operator", "county_reviewer"])
def test_it_hides_claims_outside_the_callers_jurisdiction(
    request, filing, operator, schemes, who
) -> None:
    claim = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    api = client_for(request.getfixturevalue(who))
    assert api.get(f"{CLAIMS}{claim.pk}/").status_code == 404
    assert api.post(f"{CLAIMS}{claim.pk}/approve/", {}, format="json").status_code == 404
    assert api.get(CLAIMS).json()["results"] == []


def test_it_refuses_a_filing_of_another_operator_as_not_found(
    filing, other_operator, schemes
) -> None:
    response = client_for(other_operator).post(
        CLAIMS, family_payload(filing, schemes), format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "filing"


def test_it_forbids_operators_to_decide_their_own_claim(filing, operator, schemes) -> None:
    claim = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    response = client_for(operator).post(f"{CLAIMS}{claim.pk}/approve/", {}, format="json")
    assert response.status_code == 403


def test_it_refuses_anonymous_callers(filing, operator, schemes) -> None:
    assert client_for(None).get(CLAIMS).status_code in (401, 403)


def test_it_lists_claims_of_the_officers_region_with_a_cursor_in_few_queries(
    filing, operator, finance_officer, schemes, django_assert_max_num_queries
) -> None:
    submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    with django_assert_max_num_queries(8):
        response = client_for(finance_officer).get(CLAIMS + "?status=submitted")
    assert response.status_code == 200
    assert set(response.json()) >= {"next", "previous", "results"}
    assert len(response.json()["results"]) == 1


def test_it_accepts_pdf_and_refuses_other_uploads(filing, operator, schemes) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    claim = draft_family_claim(filing, operator, schemes)
    api = client_for(operator)
    ok = api.post(
        f"{CLAIMS}{claim.pk}/documents/",
        {
            "file": SimpleUploadedFile(
                "入托登记表.pdf", b"%PDF-1.4\n...\n%%EOF\n", "application/pdf"
            )
        },
        format="multipart",
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["content_type"] == "application/pdf"
    bad = api.post(
        f"{CLAIMS}{claim.pk}/documents/",
        {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00", "application/pdf")},
        format="multipart",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["code"] == "file_type_not_allowed"
    submit_claim(claim, actor=operator)
    locked = api.post(
        f"{CLAIMS}{claim.pk}/documents/",
        {"file": SimpleUploadedFile("b.pdf", b"%PDF-1.4", "application/pdf")},
        format="multipart",
    )
    assert locked.json()["errors"][0]["code"] == "document_locked"


# ── Payment batches ─────────────────────────────────────────────────────────────────────────
@pytest.fixture
def approved_claims(filing, second_filing, operator, second_operator, finance_officer, schemes):
    from datetime import date

    from tests.factories import child_id_number
    from tests.subsidies.conftest import family_lines

    a = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    b = submit_claim(
        draft_family_claim(
            second_filing,
            second_operator,
            schemes,
            lines=family_lines(child_id_number(date(2024, 12, 1), 5), order=3),
        ),
        actor=second_operator,
    )
    c = submit_claim(
        draft_family_claim(
            filing,
            operator,
            schemes,
            lines=family_lines(child_id_number(date(2025, 2, 2), 9)),
        ),
        actor=operator,
    )
    return [approve_claim(claim, actor=finance_officer) for claim in (a, b, c)]


def test_it_batches_exports_and_marks_paid(approved_claims, finance_officer) -> None:
    api = client_for(finance_officer)
    ids = [c.pk for c in approved_claims]
    created = api.post(BATCHES, {"claims": ids}, format="json")
    assert created.status_code == 201, created.json()
    batch = created.json()
    assert batch["total"] == "2400.00"  # 600 + 1 200 (third child) + 600
    assert sorted(batch["claims"]) == sorted(ids)

    export = api.get(f"{BATCHES}{batch['id']}/export/")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(export.content))
    totals, lines = workbook.worksheets[0], workbook.worksheets[1]
    rows = list(totals.iter_rows(min_row=2, values_only=True))
    per_institution, grand = rows[:-1], rows[-1]
    assert len(per_institution) == 2
    assert sorted(r[4] for r in per_institution) == [1200.0, 1200.0]
    assert Decimal(str(sum(r[4] for r in per_institution))) == Decimal("2400")
    assert grand[4] == 2400.0 and grand[3] == 3
    line_amounts = [r[7] for r in lines.iter_rows(min_row=2, values_only=True)]
    assert len(line_amounts) == 6 and sum(line_amounts) == 2400.0

    again = api.post(BATCHES, {"claims": [ids[0]]}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"][0]["code"] == "claim_already_batched"

    paid = api.post(
        f"{BATCHES}{batch['id']}/mark-paid/", {"payment_ref": "GK-2026-0917"}, format="json"
    )
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    assert set(Claim.objects.values_list("status", flat=True)) == {ClaimStatus.PAID}
    assert (
        api.post(
            f"{BATCHES}{batch['id']}/mark-paid/", {"payment_ref": "x"}, format="json"
        ).status_code
        == 409
    )
    assert paid_by_scheme("371103")[SchemeKind.FAMILY_FEE] == Decimal("2400.00")
    assert paid_by_scheme("370000")[SchemeKind.STARTUP] == Decimal("0.00")


def test_it_refuses_to_batch_claims_that_are_not_approved(
    filing, operator, finance_officer, schemes
) -> None:
    claim = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    response = client_for(finance_officer).post(
        BATCHES, {"claims": [claim.pk, 999999]}, format="json"
    )
    assert response.status_code == 400
    assert {e["code"] for e in response.json()["errors"]} == {
        "claim_not_approved",
        "does_not_exist",
    }


def test_it_hides_batches_from_other_regions_and_operators(
    approved_claims, finance_officer, other_finance_officer, operator
) -> None:
    batch = (
        client_for(finance_officer)
        .post(BATCHES, {"claims": [approved_claims[0].pk]}, format="json")
        .json()
    )
    for user in (other_finance_officer, operator):
        api = client_for(user)
        assert api.get(f"{BATCHES}{batch['id']}/").status_code == 404
        assert api.get(f"{BATCHES}{batch['id']}/export/").status_code == 404
    # Another region's officer cannot batch A's claims either.
    response = client_for(other_finance_officer).post(
        BATCHES, {"claims": [approved_claims[1].pk]}, format="json"
    )
    assert response.status_code == 400


def test_it_describes_every_subsidy_endpoint_in_the_schema(operator) -> None:
    response = client_for(operator).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/subsidy-schemes/",
        "/api/v1/subsidy-claims/",
        "/api/v1/subsidy-claims/{id}/submit/",
        "/api/v1/subsidy-claims/{id}/approve/",
        "/api/v1/subsidy-claims/{id}/reject/",
        "/api/v1/subsidy-claims/{id}/request-changes/",
        "/api/v1/payment-batches/",
        "/api/v1/payment-batches/{id}/export/",
        "/api/v1/payment-batches/{id}/mark-paid/",
    ):
        assert path in paths, path


def test_it_serves_the_officers_queue_oldest_first(
    filing, second_filing, operator, second_operator, finance_officer, schemes
) -> None:
    from datetime import date

    from tests.factories import child_id_number
    from tests.subsidies.conftest import family_lines

    first = submit_claim(draft_family_claim(filing, operator, schemes), actor=operator)
    second = submit_claim(
        draft_family_claim(
            second_filing,
            second_operator,
            schemes,
            lines=family_lines(child_id_number(date(2025, 6, 1), 4)),
        ),
        actor=second_operator,
    )
    draft_family_claim(
        filing, operator, schemes, lines=family_lines(child_id_number(date(2025, 7, 1), 8))
    )
    response = client_for(finance_officer).get(CLAIMS + "queue/")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [first.pk, second.pk]
    assert client_for(None).get(CLAIMS + "queue/").status_code in (401, 403)
