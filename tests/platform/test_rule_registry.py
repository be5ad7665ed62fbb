"""The typed rule registry, the cited rule files and their loader, the rules API and page."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from tuoyu_portal.regions import rule_files, rules
from tuoyu_portal.regions.admin import RegionRuleForm
from tuoyu_portal.regions.models import RegionRule

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "rules"


def _form(key: str, value: str, **extra: str) -> RegionRuleForm:
    return RegionRuleForm(
        data={
            "key": key,
            "region": "371103",
            "value": value,
            "effective_from": "2026-01-01",
            **extra,
        }
    )


# --- the registry and the admin form ------------------------------------------------------------


def test_every_rule_declares_a_kind_and_a_default_that_fits_it() -> None:
    for key, spec in rules.RULES.items():
        assert spec.kind in {"bool", "int", "number", "text", "choice", "list", "records"}, key
        assert rules.validate_value(key, spec.default) == spec.default, key
        assert spec.mark in {"N", "L", "?"}, key
        if spec.mark == "N":
            assert spec.source is not None, f"national rule {key} without its document"


def test_the_admin_form_refuses_an_unknown_key() -> None:
    form = _form("name_requires_tuoyo", "true")
    assert not form.is_valid()
    assert "key" in form.errors


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("name_requires_tuoyu", '"yes"', "只能是“是”或“否”"),
        ("receipt_working_days", '"five"', "必须是数字"),
        ("receipt_working_days", "2.5", "必须是整数"),
        ("receipt_working_days", "0", "不得小于1"),
        ("subsidy_audit_sample_share", "1.5", "不得大于1"),
        ("for_profit_authority", '"gongan"', "只能取以下值之一"),
        ("health_office_name", "5", "必须是文字"),
        ("filing_number_format", '"{region}-{seq}"', "须含 {region}、{year}、{seq}"),
        ("filing_number_format", '"{region}-{year}-{seq}-{name}"', "须含 {region}、{year}、{seq}"),
        ("filing_number_format", '"{region-{year}"', "无法识别"),
        ("care_mode_words", '[" "]', "至少填写一个词"),
        ("scope_words", '"托育服务"', "文字列表"),
        ("push_target_url", '"ftp://example.org/x"', "http://"),
        ("push_secret_name", '"the secret itself"', "环境变量名"),
        ("materials_extra", '["承诺书"]', "必须是条目列表"),
        ("materials_extra", '[{"code": "pledge", "label": "承诺书"}]', "须以“local_”开头"),
        ("materials_extra", '[{"code": "local_a", "label": " "}]', "“label”的取值不正确"),
        ("materials_extra", '[{"code": "local_a", "label": "甲", "color": "红"}]', "未知的字段"),
        ("checklist_items", '[{"code": "local_a"}]', "须填写“text”"),
        (
            "checklist_items",
            '[{"code": "local_a", "text": "甲"}, {"code": "local_a", "text": "乙"}]',
            "重复",
        ),
        ("materials_not_required", '["Fire Safety"]', "材料类型代码"),
        ("notice_items", '["  "]', "都须有文字"),
    ],
)
def test_the_admin_form_refuses_a_value_of_the_wrong_type_or_range(
    key: str, value: str, words: str
) -> None:
    form = _form(key, value)
    assert not form.is_valid()
    assert words in " ".join(form.errors["value"])
    assert not RegionRule.objects.filter(
        key=key, region_id="371103", effective_from="2026-01-01"
    ).exists()


def test_the_admin_form_accepts_and_normalises_a_valid_value() -> None:
    form = _form("receipt_working_days", "4.0", basis="测试文件 第一条")
    assert form.is_valid(), form.errors
    row = form.save()
    assert row.value == 4 and isinstance(row.value, int)


def test_the_admin_form_refuses_an_end_before_the_start() -> None:
    form = _form("receipt_working_days", "4", valid_to="2025-12-31")
    assert not form.is_valid() and "valid_to" in form.errors


def test_a_rule_stops_binding_after_its_last_day() -> None:
    RegionRule.objects.create(
        key="complaint_handling_days",
        region_id="371100",
        value=10,
        effective_from=date(2026, 1, 1),
        valid_to=date(2026, 6, 30),
    )
    assert rules.value_for("complaint_handling_days", "371103", date(2026, 6, 30)) == 10
    assert rules.value_for("complaint_handling_days", "371103", date(2026, 7, 1)) == 15
    assert rules.values_for(["complaint_handling_days"], "371103", date(2026, 7, 1)) == {
        "complaint_handling_days": 15
    }


def test_the_nearest_region_wins_province_city_county() -> None:
    for code, value in (("360000", 20), ("360100", 12)):
        RegionRule.objects.create(
            key="complaint_handling_days",
            region_id=code,
            value=value,
            effective_from=date(2025, 1, 1),
        )
    by_key = {r.key: r for r in rules.rules_in_force("360102", date(2026, 1, 1))}
    assert by_key["complaint_handling_days"].value == 12
    assert by_key["complaint_handling_days"].level == "city"
    # 江西's own routing rule (a province file) binds its county with the province's citation.
    assert by_key["for_profit_authority"].level == "province"
    assert by_key["for_profit_authority"].source_region == "360000"
    assert by_key["receipt_working_days"].level == "national"


def test_a_county_accepts_its_own_mode_and_scope_words() -> None:
    from registry.services.registrations import RegistrationFacts, validate_registration_fields

    facts = RegistrationFacts(
        name="岚山区阳光日托托育中心",
        legal_nature="for_profit",
        business_scope="婴幼儿托管",
        region_code="371103",
    )
    assert {v.code for v in validate_registration_fields(facts)} >= {
        "name_missing_care_mode",
        "scope_missing_tuoyu",
    }
    for key, value in (("care_mode_words", ["日托"]), ("scope_words", ["婴幼儿托管"])):
        RegionRule.objects.create(
            key=key, region_id="371103", value=value, effective_from=date(2026, 1, 1)
        )
    assert not {v.code for v in validate_registration_fields(facts)} & {
        "name_missing_care_mode",
        "scope_missing_tuoyu",
    }


# --- routing by legal nature --------------------------------------------------------------------


def test_lanshan_routes_legal_person_registration_to_xzsp_and_public_institutions_to_bianban() -> (
    None
):
    from registry.services.registrations import route_authority

    assert route_authority("for_profit", "371103") == "xzsp"
    assert route_authority("nonprofit", "371103") == "xzsp"
    assert route_authority("public_institution", "371103") == "bianban"
    assert route_authority("nonprofit", "141023") == "minzheng"
    assert route_authority("for_profit", "510411") == "scjg"


def test_every_legal_nature_is_configurable() -> None:
    from registry.services.registrations import route_authority

    RegionRule.objects.create(
        key="public_institution_authority",
        region_id="441900",
        value="xzsp",
        effective_from=date(2020, 1, 1),
    )
    RegionRule.objects.create(
        key="nonprofit_authority", region_id="441900", value="scjg", effective_from=date(2020, 1, 1)
    )
    assert route_authority("public_institution", "441900") == "xzsp"
    assert route_authority("nonprofit", "441900") == "scjg"


# --- the files and the loader -------------------------------------------------------------------


def test_the_seed_files_load_with_every_value_cited() -> None:
    loaded = rule_files.read_directory(FIXTURES)
    assert {item.region for item in loaded} == {"371103", "141023", "410400", "510411", "360000"}
    for item in loaded:
        assert item.basis and item.valid_from, item
    assert not any(
        item.key == "target_places_per_1000" and item.region == "360000" for item in loaded
    )


def test_the_loader_is_idempotent_and_dry_run_changes_nothing() -> None:
    RegionRule.objects.filter(region_id="371103", key="for_profit_authority").update(value="scjg")
    RegionRule.objects.filter(region_id="141023", key="health_office_name").delete()
    out = StringIO()
    call_command("load_rules", "--dry-run", stdout=out)
    assert "~ 371103 for_profit_authority from 2024-04-17 'scjg' → 'xzsp'" in out.getvalue()
    assert "+ 141023 health_office_name" in out.getvalue()
    assert rules.value_for("for_profit_authority", "371103") == "scjg"
    call_command("load_rules", stdout=StringIO())
    assert rules.value_for("for_profit_authority", "371103") == "xzsp"
    again = StringIO()
    call_command("load_rules", stdout=again)
    assert again.getvalue().strip() == "rules: no changes"


def test_the_loader_removes_what_a_file_no_longer_says_and_leaves_admin_rows(
    tmp_path: Path,
) -> None:
    (tmp_path / "330106.yaml").write_text(
        'region: "330106"\nrules:\n'
        "  - {key: complaint_handling_days, value: 10, valid_from: 2026-01-01,"
        " source: {document: 测试文件, article: 第一条}}\n"
        "  - {key: allow_under_6_months, value: true, valid_from: 2026-01-01,"
        " source: {document: 测试文件, article: 第二条}}\n",
        encoding="utf-8",
    )
    RegionRule.objects.create(
        key="inspection_interval_days",
        region_id="330106",
        value=100,
        effective_from=date(2026, 1, 1),
    )
    call_command("load_rules", "--dir", str(tmp_path), stdout=StringIO())
    assert rules.value_for("allow_under_6_months", "330106") is True
    (tmp_path / "330106.yaml").write_text(
        'region: "330106"\nrules:\n'
        "  - {key: complaint_handling_days, value: 10, valid_from: 2026-01-01,"
        " source: {document: 测试文件, article: 第一条}}\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("load_rules", "--dir", str(tmp_path), stdout=out)
    assert "- 330106 allow_under_6_months" in out.getvalue()
    assert rules.value_for("allow_under_6_months", "330106") is False
    assert rules.value_for("inspection_interval_days", "330106") == 100  # typed in admin: kept
    assert rules.value_for("for_profit_authority", "371103") == "xzsp"  # other directory: kept


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            "  - {key: no_such_rule, value: 1, valid_from: 2026-01-01, source: {document: X}}\n",
            "未知的规则",
        ),
        (
            "  - {key: receipt_working_days, value: abc, valid_from: 2026-01-01, source: {document: X}}\n",
            "必须是数字",
        ),
        ("  - {key: receipt_working_days, value: 3, valid_from: 2026-01-01}\n", "source document"),
        (
            "  - {key: receipt_working_days, value: 3, valid_from: someday, source: {document: X}}\n",
            "not a date",
        ),
    ],
)
def test_the_loader_refuses_a_bad_file_and_loads_nothing(
    tmp_path: Path, body: str, words: str
) -> None:
    (tmp_path / "330106.yaml").write_text(
        'region: "330106"\nrules:\n'
        "  - {key: complaint_handling_days, value: 10, valid_from: 2026-01-01, source: {document: X}}\n"
        + body,
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=words):
        call_command("load_rules", "--dir", str(tmp_path), stdout=StringIO())
    assert not RegionRule.objects.filter(region_id="330106").exists()


def test_national_file_must_agree_with_the_registry(tmp_path: Path) -> None:
    (tmp_path / "national.yaml").write_text(
        "defaults:\n  - {key: receipt_working_days, value: 7, document: 25号}\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match="registry"):
        call_command("load_rules", "--dir", str(tmp_path), stdout=StringIO())
    rule_files.check_national(FIXTURES / "national.yaml")  # the real one agrees


# --- the API and the page -----------------------------------------------------------------------


def test_the_rules_api_lists_every_rule_with_its_level_and_basis() -> None:
    response = APIClient().get("/api/v1/rules/", {"region": "371103", "on": "2026-12-01"})
    assert response.status_code == 200
    rows = {row["key"]: row for row in response.json()}
    assert set(rows) == set(rules.RULES)
    name = rows["name_requires_tuoyu"]
    assert name == {
        "key": "name_requires_tuoyu",
        "label": "机构名称须含“托育”",
        "value": True,
        "unit": "",
        "level": "county",
        "source_region": "371103",
        "basis": "岚政办字〔2024〕5号 二（四）1",
        "valid_from": "2024-04-17",
        "valid_to": None,
    }
    receipt = rows["receipt_working_days"]
    assert receipt["level"] == "national" and receipt["source_region"] is None
    assert "25号" in receipt["basis"] and "第九条" in receipt["basis"]


def test_the_rules_api_answers_for_the_date_asked() -> None:
    before = APIClient().get("/api/v1/rules/", {"region": "371103", "on": "2024-04-16"}).json()
    assert {r["key"]: r for r in before}["name_requires_tuoyu"]["value"] is False


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"region": "999999"}, 404),
        ({"region": "abc"}, 404),
        ({}, 400),
        ({"region": "371103", "on": "2026-13-40"}, 400),
        ({"region": "371103", "on": "yesterday"}, 400),
    ],
)
def test_the_rules_api_refuses_bad_parameters(params: dict[str, str], status: int) -> None:
    response = APIClient().get("/api/v1/rules/", params)
    assert response.status_code == status
    message = response.json()["errors"][0]["message"]
    assert not message.isascii()


def test_the_public_rules_page_shows_where_each_rule_comes_from() -> None:
    response = Client().get("/public/rules/371103/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "山东省日照市岚山区现行托育规则" in html
    assert "岚政办字〔2024〕5号" in html and "在登记名称中体现“托育”字样" in html
    assert "行政审批服务部门" in html  # the authority's name, never its code
    assert "xzsp" not in html and "name_requires_tuoyu" not in html
    assert "国卫办人口发〔2019〕25号" in html
    assert Client().get("/public/rules/999999/").status_code == 404
