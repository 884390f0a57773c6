"""Each app's own zh_Hans catalogue is complete, keeps its placeholders and is compiled.

The project catalogue (locale/) is checked in test_translations.py.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from tests.pofile import PLACEHOLDER, entries, stale_in_mo, translations

APPS = ["accounts", "core", "escalation", "notifications", "assessments", "spareparts", "privacy"]


def _catalogue(app: str) -> Path:
    return Path(settings.BASE_DIR) / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _appentries(app: str) -> list[dict]:
    path = _catalogue(app)
    assert path.exists(), f"{app} has no zh_Hans catalogue at {path}"
    return entries(path.read_text(encoding="utf-8"))


def _messages(app: str) -> list[dict]:
    return [e for e in _appentries(app) if e["msgid"]]


def test_parser_splits_entries_without_blank_lines_and_sees_flags():
    text = (
        '#, fuzzy\nmsgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n'
        '#: apps.py:7\nmsgid "accounts"\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid "Step %(n)s"\nmsgstr "第 %(n)s 级"\n'
        'msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\n\n'
        '#~ msgid "gone"\n#~ msgstr "旧"\n'
    )
    header, accounts, step, plural = entries(text)
    assert header["flags"] == {"fuzzy"}
    assert "nplurals=1" in header["msgstr"]
    assert (accounts["msgid"], accounts["msgstr"], accounts["flags"]) == ("accounts", "", set())
    assert step["flags"] == {"fuzzy", "python-format"}
    assert translations(plural) == [""]


@pytest.mark.parametrize("app", APPS)
def test_app_catalogue_header_is_chinese_with_one_plural_form(app):
    header = next(e for e in _appentries(app) if e["msgid"] == "")
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"]
    assert "charset=UTF-8" in header["msgstr"]
    assert "fuzzy" not in header["flags"]


@pytest.mark.parametrize("app", APPS)
def test_app_catalogue_has_no_fuzzy_or_emptytranslations(app):
    messages = _messages(app)
    assert messages, f"{app} catalogue has no messages"
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in messages if not all(t.strip() for t in translations(e))]
    assert fuzzy == []
    assert empty == []


@pytest.mark.parametrize("app", APPS)
def test_app_translations_keep_their_placeholders(app):
    wrong = [
        e["msgid"]
        for e in _messages(app)
        for msgstr in translations(e)
        if sorted(PLACEHOLDER.findall(msgstr))
        != sorted(PLACEHOLDER.findall(e.get("msgid_plural", e["msgid"])))
    ]
    assert wrong == []


@pytest.mark.parametrize("app", APPS)
def test_app_compiled_catalogue_matches_the_po_file(app):
    stale = stale_in_mo(_catalogue(app), _messages(app))
    assert stale == [], f"run compilemessages in {app}/"


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("You have no API keys yet.", "您还没有 API 密钥。"),
        ("Escalation dashboard", "升级看板"),
        ("Mark all as read", "全部标为已读"),
        ("Spare parts consumed", "备件净消耗量"),
    ],
)
def test_app_strings_render_in_simplified_chinese(english, chinese):
    with translation.override("zh-hans"):
        assert _(english) == chinese


def test_app_placeholders_survive_translation():
    with translation.override("zh-hans"):
        revoked = _("The key %(name)s is revoked.") % {"name": "telematics"}
        assert revoked == "密钥 telematics 已吊销。"
        assert _("%(n)s incidents") % {"n": 4} == "4 起事件"
