"""Uploads: by content, by size, random names, hashes, locking, permission-checked download."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from registry.models import FilingDocument
from registry.services import filing_documents
from registry.services import filings as svc
from tests.conftest import client_for
from tests.factories import (
    ELF_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    draft_filing,
    pdf,
    submitted_filing,
)


def _upload(user, filing, kind: str, name: str, content: bytes, content_type="application/pdf"):
    return client_for(user).post(
        f"/api/v1/filings/{filing.pk}/documents/",
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [(PDF_BYTES, "application/pdf"), (JPEG_BYTES, "image/jpeg"), (PNG_BYTES, "image/png")],
)
def test_it_accepts_pdf_jpeg_and_png_by_content(operator, institution, content, expected) -> None:
    filing = draft_filing(operator, institution, documents=False)
    response = _upload(operator, filing, "license", "营业执照.bin", content, "text/plain")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["content_type"] == expected
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["original_name"] == "营业执照.bin"
    document = FilingDocument.objects.get(pk=body["id"])
    assert document.file.name.startswith(f"filings/{filing.pk}/")
    assert "营业执照" not in document.file.name


@pytest.mark.parametrize(
    "content",
    [ELF_BYTES, b"MZ\x90\x00\x03" + b"\x00" * 60, b"#!/bin/sh\nrm -rf /\n", b"<html><script>"],
)
def test_it_refuses_an_executable_renamed_pdf(operator, institution, content) -> None:
    filing = draft_filing(operator, institution, documents=False)
    response = _upload(operator, filing, "license", "licence.pdf", content)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "file_type_not_allowed",
            "message": response.json()["errors"][0]["message"],
            "field": "file",
        }
    ]
    assert not FilingDocument.objects.exists()


def test_it_refuses_an_oversize_file(operator, institution, settings) -> None:
    settings.MAX_DOCUMENT_BYTES = 1024
    filing = draft_filing(operator, institution, documents=False)
    response = _upload(operator, filing, "license", "big.pdf", PDF_BYTES + b"0" * 2048)
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["file_too_large"]
    assert not FilingDocument.objects.exists()


def test_it_refuses_an_oversize_body_before_parsing(operator, institution, settings) -> None:
    settings.MAX_DOCUMENT_BYTES = 10
    filing = draft_filing(operator, institution, documents=False)
    response = _upload(operator, filing, "license", "big.pdf", PDF_BYTES * 40000)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "file_too_large"


def test_it_locks_documents_after_submission(operator, institution) -> None:
    filing = submitted_filing(operator, institution)
    response = _upload(operator, filing, "other", "more.pdf", PDF_BYTES)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "document_locked"
    assert filing.documents.filter(locked=False).count() == 0


def test_it_reopens_only_the_kinds_named_in_a_supplement_request(
    operator, institution, county_reviewer
) -> None:
    filing = submitted_filing(operator, institution)
    svc.request_supplement(filing, actor=county_reviewer, items=[{"item": "fire_safety"}])
    assert _upload(operator, filing, "license", "l.pdf", PDF_BYTES).status_code == 400
    response = _upload(operator, filing, "fire_safety", "fire.pdf", PDF_BYTES)
    assert response.status_code == 201
    old = filing.documents.filter(kind="fire_safety").exclude(pk=response.json()["id"]).get()
    assert old.superseded_by_id == response.json()["id"]


def test_it_refuses_uploads_by_reviewers_and_other_operators(
    operator, institution, county_reviewer, other_operator
) -> None:
    filing = draft_filing(operator, institution, documents=False)
    assert _upload(county_reviewer, filing, "license", "a.pdf", PDF_BYTES).status_code == 403
    assert _upload(other_operator, filing, "license", "a.pdf", PDF_BYTES).status_code == 404


def test_it_downloads_only_for_those_who_may_see_the_filing(
    operator, institution, county_reviewer, other_county_reviewer, other_operator
) -> None:
    filing = draft_filing(operator, institution, documents=False)
    document = filing_documents.add_document(
        filing, actor=operator, kind="license", upload=pdf("执照.pdf")
    )
    url = f"/api/v1/filings/{filing.pk}/documents/{document.pk}/"
    for user in (operator, county_reviewer):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == PDF_BYTES
    assert client_for(other_county_reviewer).get(url).status_code == 404
    assert client_for(other_operator).get(url).status_code == 404
    assert client_for(None).get(url).status_code in (401, 403)


def test_it_answers_404_for_a_document_of_another_filing(operator, institution) -> None:
    filing = draft_filing(operator, institution, documents=False)
    document = filing_documents.add_document(filing, actor=operator, kind="license", upload=pdf())
    response = client_for(operator).get(
        f"/api/v1/filings/{filing.pk}/documents/{document.pk + 999}/"
    )
    assert response.status_code == 404


def test_it_keeps_only_a_safe_original_name(operator, institution) -> None:
    filing = draft_filing(operator, institution, documents=False)
    document = filing_documents.add_document(
        filing, actor=operator, kind="license", upload=pdf("../../etc/\x00passwd.pdf")
    )
    assert document.original_name == "passwd.pdf"


def test_it_accepts_a_file_of_exactly_the_size_limit(operator, institution, settings) -> None:
    content = PDF_BYTES + b"0" * (1024 - len(PDF_BYTES))
    settings.MAX_DOCUMENT_BYTES = len(content)
    filing = draft_filing(operator, institution, documents=False)
    response = _upload(operator, filing, "license", "exact.pdf", content)
    assert response.status_code == 201
    assert response.json()["size"] == 1024


def test_it_records_history_free_uploads_only_in_draft(operator, institution) -> None:
    filing = draft_filing(operator, institution, documents=False)
    assert _upload(operator, filing, "other", "a.png", PNG_BYTES, "image/png").status_code == 201
    assert FilingDocument.objects.get().locked is False
