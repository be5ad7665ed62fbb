"""Population figures come from a cited file (fixtures/population), estimates are marked as such,
and a province or city is never one county's figure."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories
from tuoyu_portal.accounts.models import Role
from tuoyu_portal.dashboard import figures
from tuoyu_portal.regions.models import RegionYear
from tuoyu_portal.regions.reference import POPULATION_CSV, load_population

pytestmark = pytest.mark.django_db


def _rows() -> list[dict[str, str]]:
    with Path(POPULATION_CSV).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_population_file_is_inside_the_project_and_every_row_is_cited() -> None:
    assert Path(POPULATION_CSV).is_relative_to(Path(settings.BASE_DIR) / "fixtures")
    rows = _rows()
    assert {r["region"] for r in rows} >= {"371103", "371100", "370000", "141023", "141000"}
    for row in rows:
        assert "人口普查" in row["source"] or "统计公报" in row["source"], row
        if row["population_estimated"] == "true" or row["under3_estimated"] == "true":
            assert row["method"].strip(), row


def test_loaded_rows_carry_the_source_and_the_estimate_flags() -> None:
    RegionYear.objects.filter(region_id__in=["371103", "370000"]).update(
        population=460000, population_source=""
    )  # what the thin demo had: one district's figure, no source
    assert load_population() == len(_rows())
    for row in RegionYear.objects.filter(region_id__in=["371103", "370000", "141023"]):
        assert row.population_source and row.population and row.under3_population
    lanshan = RegionYear.objects.get(region_id="371103", year=2026)
    assert lanshan.population_estimated and lanshan.under3_estimated and lanshan.estimate_method
    shandong = RegionYear.objects.get(region_id="370000", year=2026)
    assert not shandong.population_estimated


def test_a_province_or_city_is_never_one_countys_figure() -> None:
    load_population()
    for county, city, province in (("371103", "371100", "370000"), ("141023", "141000", "140000")):
        pops = {
            code: figures.region_figures(code, 2026)["population"]
            for code in (county, city, province)
        }
        assert pops[county] < pops[city] < pops[province], pops


def test_the_dashboard_marks_estimates_and_cites_the_source() -> None:
    load_population()
    user = factories.UserFactory(username="health-x", role=Role.HEALTH_REVIEWER, region_id="371103")
    client = Client()
    client.force_login(user)
    page = client.get(reverse("dashboard"), {"region": "371103", "year": 2026}).content.decode()
    assert "（估算）" in page
    assert "人口数据来源：" in page and "第七次全国人口普查" in page
    assert "0—3岁婴幼儿人口" in page
