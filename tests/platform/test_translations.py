"""The English catalogue: complete, up to date, compiled, and actually used by the pages.

Every page in Chinese by default and in English on request, with no untranslated
string. How to update the catalogue when these tests fail: docs/i18n.md.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from registry.models import Filing
from registry.receipts import render_receipt
from tests import factories
from tests.factories import accepted_filing, draft_filing
from tuoyu_portal.accounts.models import User
from tuoyu_portal.regions.models import Region, ancestor_codes

LOCALE_DIR: Path = Path(settings.BASE_DIR) / "locale"
PO_PATH = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"
# The project's source trees that makemessages reads (the same set as the documented command, which
# walks the repository and ignores .venv, .data, tests/ and docs/).
SOURCES = ("manage.py", "registry", "inspections", "subsidies", "tuoyu_portal", "templates")
# CJK punctuation and full-width forms (（）：、), kana, Han ideographs (with extension A and the
# compatibility block): an English page has none of them outside data.
CJK = re.compile(
    r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+"
)


def _key(entry: polib.POEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def _keys(entries: Iterable[polib.POEntry]) -> set[tuple[str, str]]:
    return {_key(e) for e in entries if not e.obsolete}


# --------------------------------------------------------------------------- (a) up to date


def test_it_has_every_message_of_the_code_and_templates_in_the_committed_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-run makemessages into a scratch tree (symlinks to the sources, a copy of locale/) and
    compare its msgids with the committed .po: missing ones are untranslated strings on a page,
    stale ones mean makemessages was not re-run after a string changed."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        if os.environ.get("CI"):
            pytest.fail(
                "GNU gettext (xgettext, msgmerge) is required in CI: apt-get install gettext"
            )
        pytest.skip("GNU gettext is not installed on this machine")
    for name in SOURCES:
        (tmp_path / name).symlink_to(Path(settings.BASE_DIR) / name)
    shutil.copytree(LOCALE_DIR, tmp_path / "locale")
    # makemessages works on the current directory and writes next to the first `locale/` it
    # finds there: the scratch copy, so the committed catalogue is never touched.
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages",
        locale=["en"],
        symlinks=True,
        no_obsolete=True,
        ignore_patterns=["tests/*", "docs/*"],
        verbosity=0,
    )
    fresh = _keys(polib.pofile(str(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")))
    committed = _keys(polib.pofile(str(PO_PATH)))
    missing = sorted(fresh - committed)
    stale = sorted(committed - fresh)
    assert not missing, f"msgids missing from {PO_PATH} (run makemessages, translate): {missing}"
    assert not stale, f"msgids no longer in the code, still in {PO_PATH}: {stale}"


# --------------------------------------------------------------------------- (b) complete


def test_it_translates_every_entry_with_no_fuzzy_or_empty_msgstr() -> None:
    po = polib.pofile(str(PO_PATH))
    assert len(po) > 100  # a catalogue, not an empty file that passes vacuously
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags and not e.obsolete]
    untranslated = [e.msgid for e in po.untranslated_entries()]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not untranslated, f"entries without an English msgstr: {untranslated}"


def test_it_keeps_every_placeholder_of_the_chinese_message_in_the_english_one() -> None:
    placeholder = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|\{\{\s*\w+\s*\}\}")
    wrong = []
    for entry in polib.pofile(str(PO_PATH)):
        english = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in english:
            if sorted(placeholder.findall(entry.msgid)) != sorted(placeholder.findall(text)):
                wrong.append((entry.msgid, text))
    assert not wrong


# --------------------------------------------------------------------------- (c) compiled


def _catalogue(mo: Path) -> dict[Any, str]:
    with mo.open("rb") as handle:
        catalogue: dict[Any, str] = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    return {key: value for key, value in catalogue.items() if key != ""}  # "" is the header


def test_it_commits_the_mo_compiled_from_the_committed_po(tmp_path: Path) -> None:
    """A bare machine has no msgfmt, so django.mo is committed; it must match the .po (compiled
    here with polib, so this check needs no gettext either)."""
    compiled = tmp_path / "django.mo"
    polib.pofile(str(PO_PATH)).save_as_mofile(str(compiled))
    fresh = _catalogue(compiled)
    committed = _catalogue(MO_PATH)
    assert len(fresh) > 100
    assert committed == fresh, "django.mo is out of date: run compilemessages -l en (docs/i18n.md)"


# --------------------------------------------------------------------------- (d) pages in English


def _untranslated(html: str, data: Iterable[str]) -> list[str]:
    """CJK runs left in the page once the data shown on it is taken out."""
    # The region picker of the public search lists every province and city name (data).
    html = re.sub(r"<datalist.*?</datalist>", "", html, flags=re.S)
    # The language switch names the other language in that language, on purpose.
    html = html.replace('lang="zh-hans">中文<', 'lang="zh-hans"><')
    for value in sorted({d for d in data if d}, key=len, reverse=True):
        html = html.replace(value, "")
    return [
        html[max(m.start() - 40, 0) : m.end() + 40].replace("\n", " ") for m in CJK.finditer(html)
    ]


def _english(user: User | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def _region_names(*codes: str) -> list[str]:
    regions = Region.objects.filter(code__in=codes)
    return [name for r in regions for name in (r.name, r.full_name)]


def _institution_data(filing: Filing) -> list[str]:
    registration = filing.registration
    return [
        filing.institution.name,
        filing.institution.address,
        registration.name,
        registration.address,
        registration.business_scope,
        registration.legal_representative_name,
        filing.person_in_charge_name,
        filing.commitment_signed_by,
        *_region_names(*ancestor_codes(registration.region_id)),
    ]


@pytest.mark.django_db
def test_it_renders_the_anonymous_home_and_login_pages_in_english() -> None:
    client = _english()
    for name in ("home", "login"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        html = response.content.decode()
        assert '<html lang="en">' in html
        assert _untranslated(html, []) == [], name


@pytest.mark.django_db
def test_it_switches_to_english_with_the_language_button_and_back() -> None:
    client = Client()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html and _untranslated(html, []) == []
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_it_still_renders_chinese_by_default() -> None:
    html = Client().get(reverse("home")).content.decode()
    assert '<html lang="zh-hans">' in html and "托育机构登记备案服务平台" in html


@pytest.mark.django_db
def test_it_renders_the_public_search_with_a_result_in_english(
    operator: User, institution: Any, county_reviewer: User
) -> None:
    filing = accepted_filing(operator, institution, county_reviewer)
    html = _english().get(reverse("public-search")).content.decode()
    assert filing.filing_number in html  # the result row is on the page, so its labels are too
    assert _untranslated(html, _institution_data(filing)) == []


@pytest.mark.django_db
def test_it_renders_the_registrar_queue_with_an_application_in_english(
    registrar: User, institution: Any
) -> None:
    registration = factories.SubmittedRegistrationFactory(institution=institution)
    response = _english(registrar).get(reverse("registrar-queue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert registration.name in html
    data = [
        registration.name,
        registration.address,
        *_region_names(*ancestor_codes(registration.region_id)),
    ]
    assert _untranslated(html, data) == []


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["filing-start", "filing-edit", "filing-readiness"])
def test_it_renders_the_operator_filing_wizard_in_english(
    page: str, operator: User, institution: Any
) -> None:
    filing = draft_filing(operator, institution)
    args = [] if page == "filing-start" else [filing.pk]
    response = _english(operator).get(reverse(page, args=args))
    assert response.status_code == 200
    html = response.content.decode()
    assert _untranslated(html, _institution_data(filing)) == []


def test_it_finds_untranslated_text_left_in_a_page() -> None:
    """The page check above can fail: a Chinese label that is not data is reported."""
    found = _untranslated(
        '<p>Name: 阳光托育</p><label>托位数</label><button lang="zh-hans">中文</button>',
        ["阳光托育"],
    )
    assert len(found) == 1 and "托位数" in found[0]


# --------------------------------------------------------------------------- official documents


@pytest.mark.django_db
def test_it_issues_the_receipt_pdf_in_chinese_even_for_an_english_page(
    operator: User, institution: Any, county_reviewer: User
) -> None:
    """The 备案回执 is an official Chinese document; the English catalogue must not reach it."""
    from tests.registry.test_receipts import _text

    filing = accepted_filing(operator, institution, county_reviewer)
    with translation.override("en"):
        text = _text(render_receipt(filing))
        assert translation.get_language() == "en"
    assert "托育机构备案回执" in text and "Childcare institution filing receipt" not in text
