"""Open data with a contract (api.md 1.1 "Open data")."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from registry import opendata, tasks
from registry.models import Filing, Institution, PublishedDataset
from tests.factories import FiledFilingFactory, InstitutionFactory

BASE = "/api/v1/public/datasets/"


@pytest.fixture
def filing(institution: Institution) -> Filing:
    return FiledFilingFactory(institution=institution)


def test_the_published_fields_match_the_newest_changelog_entry() -> None:
    """Changing a dataset's fields in code without a new changelog entry (with the new field
    list and version) in registry/opendata_schema.json fails here."""
    contract = opendata.schema()
    assert set(contract) == set(opendata.DATASET_FIELDS)
    for dataset, fields in opendata.DATASET_FIELDS.items():
        newest = contract[dataset]["changelog"][-1]
        published = [(f["name"], f["type"], f["description"]) for f in newest["fields"]]
        assert published == fields, f"{dataset}: schema changed without a changelog entry"
        versions = [entry["version"] for entry in contract[dataset]["changelog"]]
        assert len(versions) == len(set(versions)) and versions == sorted(
            versions, key=lambda v: tuple(int(p) for p in v.split("."))
        )
        for entry in contract[dataset]["changelog"]:
            assert entry["changes"].strip() and entry["date"]


def test_the_index_lists_both_datasets_with_version_and_changelog(filing) -> None:
    tasks.rebuild_open_data()
    body = Client().get(BASE).json()
    names = [d["name"] for d in body["results"]]
    assert names == ["facilities", "regions"]
    facilities = body["results"][0]
    assert facilities["schema_version"] == "1.0" and facilities["changelog"][0]["version"] == "1.0"
    assert [d["format"] for d in facilities["distributions"]] == ["csv", "json"]
    assert facilities["distributions"][0]["url"].endswith("/api/v1/public/datasets/facilities.csv")
    assert facilities["distributions"][0]["rows"] == 1


def test_the_csv_is_utf8_with_bom_and_neutralises_formulas(db: None) -> None:
    inst = InstitutionFactory(
        region_id="371103", name='=HYPERLINK("http://x")托育', address="@SUM(1)"
    )
    FiledFilingFactory(institution=inst)
    tasks.rebuild_open_data()
    response = Client().get(f"{BASE}facilities.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["name"].startswith("'=") and rows[0]["address"].startswith("'@")
    assert list(rows[0]) == [name for name, _t, _d in opendata.DATASET_FIELDS["facilities"]]


def test_the_json_carries_the_schema_version(filing) -> None:
    tasks.rebuild_open_data()
    body = json.loads(Client().get(f"{BASE}facilities.json").content)
    assert body["schema_version"] == "1.0"
    assert body["rows"][0]["filing_number"] == filing.filing_number
    regions = json.loads(Client().get(f"{BASE}regions.json").content)
    assert regions["rows"] == [
        {
            "region": "371103",
            "region_name": regions["rows"][0]["region_name"],
            "facilities": 1,
            "places": 30,
            "inclusive_facilities": 1,
            "free_places": 0,
        }
    ]


def test_a_conditional_get_is_304(filing) -> None:
    tasks.rebuild_open_data()
    first = Client().get(f"{BASE}facilities.csv")
    etag, modified = first["ETag"], first["Last-Modified"]
    again = Client().get(f"{BASE}facilities.csv", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert Client().get(f"{BASE}facilities.csv", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert Client().get(f"{BASE}facilities.csv", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_files_are_rebuilt_when_the_data_changes_not_per_request(filing) -> None:
    tasks.rebuild_open_data()
    etag = Client().get(f"{BASE}facilities.csv")["ETag"]
    assert tasks.rebuild_open_data() == []  # unchanged data: the stored file stays
    FiledFilingFactory(institution=InstitutionFactory(region_id="371103"))
    # Between the change and the rebuild the stored file is served (no build per request).
    assert Client().get(f"{BASE}facilities.csv")["ETag"] == etag
    assert "facilities.csv" in tasks.refresh_open_data()
    fresh = Client().get(f"{BASE}facilities.csv", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert PublishedDataset.objects.get(name="facilities.csv").rows == 2


def test_a_change_to_a_filing_queues_a_rebuild_after_commit(
    filing, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        Filing.objects.get(pk=filing.pk).save()
    assert opendata._queue in callbacks


def test_an_unknown_file_is_404(db: None) -> None:
    assert Client().get(f"{BASE}facilities.xlsx").status_code == 404
    assert Client().get(f"{BASE}secrets.csv").status_code == 404
