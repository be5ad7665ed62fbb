"""Hostile uploads against every upload endpoint: none accepted, none a 5xx,
nothing written to storage, every refusal a 4xx in the api.md error shape with a rule code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from inspections.models import FindingEvidence
from registry.models import FilingDocument, ImportBatch
from subsidies.models import ClaimDocument
from tests import factories
from tests.factories import FiledFilingFactory, draft_filing, lanshan_schemes
from tests.security.hostile_files import PDF_OK, corpus, oversize_limit, png
from tests.subsidies.conftest import draft_family_claim
from tuoyu_portal import uploads

pytestmark = pytest.mark.django_db

CORPUS = corpus()


def client_for(user: Any) -> APIClient:
    client = APIClient(raise_request_exception=False)  # a 500 must show as a status, not raise
    client.force_authenticate(user)
    return client


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture(autouse=True)
def _small_limits(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.MAX_DOCUMENT_BYTES = oversize_limit()
    monkeypatch.setattr("inspections.services.common.MAX_EVIDENCE_BYTES", oversize_limit())


def assert_all_refused(post: Any, settings: Any, *, expect_codes: set[str] | None = None) -> None:
    """Post every corpus file; collect every wrong answer, then fail once listing them all."""
    wrong: list[str] = []
    for label, name, content in CORPUS:
        response = post(SimpleUploadedFile(name, content, content_type="application/pdf"))
        if response.status_code >= 500 or response.status_code < 400:
            wrong.append(f"{label}: HTTP {response.status_code}")
            continue
        body = response.json()
        codes = {e["code"] for e in body.get("errors", [])}
        # "empty" is DRF's field error for a zero-byte file: a refusal in the api.md shape too.
        if not codes or (expect_codes is not None and not codes & (expect_codes | {"empty"})):
            wrong.append(f"{label}: HTTP {response.status_code} codes {sorted(codes)}")
    assert not wrong, "accepted or badly refused:\n" + "\n".join(wrong)
    assert stored_files(settings) == []


def test_it_builds_a_corpus_of_at_least_fifty_hostile_files() -> None:
    assert len(CORPUS) >= 50
    assert len({label for label, _n, _c in CORPUS}) == len(CORPUS)
    for label, _name, content in CORPUS:
        if label not in ("oversize_pdf", "zip_bomb_as_xlsx"):
            assert len(content) <= oversize_limit(), label
    # Content alone condemns every file but the (well-formed) oversize PDF, refused by its size.
    clean = [
        label for label, _n, c in CORPUS if uploads.inspect_content(c, allow_webp=True) is None
    ]
    assert clean == ["oversize_pdf"]


def test_it_refuses_every_hostile_filing_document(
    operator: Any, institution: Any, settings: Any
) -> None:
    filing = draft_filing(operator, institution, documents=False)
    client = client_for(operator)
    url = f"/api/v1/filings/{filing.pk}/documents/"
    assert_all_refused(
        lambda f: client.post(url, {"kind": "license", "file": f}, format="multipart"),
        settings,
        expect_codes={"file_type_not_allowed", "file_too_large"},
    )
    assert not FilingDocument.objects.exists()


def test_it_refuses_every_hostile_claim_document(
    operator: Any, institution: Any, settings: Any
) -> None:
    claim = draft_family_claim(
        FiledFilingFactory(institution=institution), operator, lanshan_schemes()
    )
    client = client_for(operator)
    url = f"/api/v1/subsidy-claims/{claim.pk}/documents/"
    assert_all_refused(
        lambda f: client.post(url, {"file": f}, format="multipart"),
        settings,
        expect_codes={"file_type_not_allowed", "file_too_large"},
    )
    assert not ClaimDocument.objects.exists()


def test_it_refuses_every_hostile_rectification_evidence(
    operator: Any, institution: Any, inspector: Any, settings: Any
) -> None:
    filing = factories.FiledFilingFactory(institution=institution)
    finding = factories.finding(factories.inspection(filing, inspector))
    client = client_for(operator)
    url = f"/api/v1/findings/{finding.pk}/rectify/"
    assert_all_refused(
        lambda f: client.post(url, {"note": "已整改", "evidence": [f]}, format="multipart"),
        settings,
        expect_codes={"evidence_type_not_allowed", "evidence_too_large"},
    )
    assert not FindingEvidence.objects.exists()
    finding.refresh_from_db()
    assert finding.status == "open"  # a refused request changes nothing


def test_it_refuses_every_hostile_finding_evidence_from_the_inspector(
    institution: Any, inspector: Any, settings: Any
) -> None:
    from inspections.services.findings import record_finding
    from tuoyu_portal.exceptions import DomainError

    visit = factories.inspection(factories.FiledFilingFactory(institution=institution), inspector)
    accepted = []
    for label, name, content in CORPUS:
        try:
            record_finding(
                visit,
                actor=inspector,
                rule="管理规范 §32",
                severity="minor",
                description="x",
                evidence=[SimpleUploadedFile(name, content)],
            )
            accepted.append(label)
        except DomainError as error:
            assert {v.code for v in error.violations} & {
                "evidence_type_not_allowed",
                "evidence_too_large",
            }, label
    assert accepted == []
    assert stored_files(settings) == []


def test_it_refuses_every_hostile_import_file(registrar: Any, settings: Any) -> None:
    client = client_for(registrar)
    assert_all_refused(
        lambda f: client.post("/api/v1/registration-imports/", {"file": f}, format="multipart"),
        settings,
        expect_codes={"import_file_invalid", "file_too_large"},
    )
    assert not ImportBatch.objects.exists()


def test_it_still_accepts_a_clean_pdf_and_png_and_keeps_hostile_names_out_of_storage(
    operator: Any, institution: Any, settings: Any
) -> None:
    filing = draft_filing(operator, institution, documents=False)
    client = client_for(operator)
    url = f"/api/v1/filings/{filing.pk}/documents/"
    for name, content in (("../../etc/passwd.pdf", PDF_OK), ("photo\u202egnp.exe", png(4, 4))):
        response = client.post(
            url, {"kind": "other", "file": SimpleUploadedFile(name, content)}, format="multipart"
        )
        assert response.status_code == 201, response.content
    for path in stored_files(settings):
        assert ".." not in path.name and "\u202e" not in path.name and "passwd" not in path.name
    names = list(FilingDocument.objects.values_list("original_name", flat=True))
    assert all("/" not in n and "\u202e" not in n for n in names)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF_OK, None),
        (png(640, 480), None),
        (png(8000, 6000), "image_dimensions"),
        (b"%PDF-1.4\n/OpenAction\n%%EOF", "pdf_active_content:/openaction"),
        (b"%PDF-1.4\n/JSomething\n%%EOF", None),  # a name that merely starts with /JS is fine
    ],
)
def test_it_inspects_content_precisely(content: bytes, expected: str | None) -> None:
    assert uploads.inspect_content(content) == expected


def test_it_sanitises_display_names() -> None:
    assert uploads.safe_basename("../../etc/passwd.pdf") == "passwd.pdf"
    assert uploads.safe_basename("a\u202efdp.exe") == "afdp.exe"
    assert uploads.safe_basename("a.pdf\x00.exe") == "a.pdf.exe"
    assert uploads.safe_basename("") == "file"
    assert len(uploads.safe_basename("x" * 500)) == 200
