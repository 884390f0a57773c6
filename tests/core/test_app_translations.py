"""Each app's own zh_Hans catalogue is complete, keeps its placeholders and is compiled.

The project catalogue (locale/) is checked in test_translations.py.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

APPS = ["accounts", "escalation", "notifications", "assessments", "spareparts"]
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdfr]|%[-#0 +]*\d*[sdfr]")
KEYWORDS = ("msgctxt", "msgid", "msgid_plural", "msgstr")


def _catalogue(app: str) -> Path:
    return Path(settings.BASE_DIR) / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[dict]:
    """A small .po parser: one dict per entry (flags, msgctxt, msgid, msgid_plural, msgstr*).

    An entry ends at a blank line or where a comment or a new msgctxt/msgid follows a msgstr
    (makemessages sometimes writes the first entry right under the header). Obsolete entries
    (``#~``) are skipped.
    """
    entries, entry, field = [], None, None

    def close():
        nonlocal entry, field
        if entry is not None and "msgid" in entry:
            entries.append(entry)
        entry, field = None, None

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            close()
            continue
        starts_entry = line.startswith("#") or line.split(" ", 1)[0] in ("msgctxt", "msgid")
        if starts_entry and field is not None and field.startswith("msgstr"):
            close()
        if entry is None:
            entry = {"flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            field, value = line.split(" ", 1)
            assert field.split("[")[0] in KEYWORDS, f"unexpected .po line: {raw!r}"
            entry[field] = ast.literal_eval(value)
    close()
    return entries


def _translations(entry: dict) -> list[str]:
    return [v for k, v in entry.items() if k.startswith("msgstr")]


def _key(entry: dict) -> str:
    context = entry.get("msgctxt")
    return f"{context}\x04{entry['msgid']}" if context is not None else entry["msgid"]


def _app_entries(app: str) -> list[dict]:
    path = _catalogue(app)
    if not path.exists():
        pytest.skip(f"{app} has no zh_Hans catalogue yet")
    return _entries(path.read_text(encoding="utf-8"))


def _messages(app: str) -> list[dict]:
    return [e for e in _app_entries(app) if e["msgid"]]


def test_parser_splits_entries_without_blank_lines_and_sees_flags():
    text = (
        '#, fuzzy\nmsgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n'
        '#: apps.py:7\nmsgid "accounts"\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid "Step %(n)s"\nmsgstr "第 %(n)s 级"\n'
        'msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\n\n'
        '#~ msgid "gone"\n#~ msgstr "旧"\n'
    )
    header, accounts, step, plural = _entries(text)
    assert header["flags"] == {"fuzzy"}
    assert "nplurals=1" in header["msgstr"]
    assert (accounts["msgid"], accounts["msgstr"], accounts["flags"]) == ("accounts", "", set())
    assert step["flags"] == {"fuzzy", "python-format"}
    assert _translations(plural) == [""]


@pytest.mark.parametrize("app", APPS)
def test_app_catalogue_header_is_chinese_with_one_plural_form(app):
    header = next(e for e in _app_entries(app) if e["msgid"] == "")
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"]
    assert "charset=UTF-8" in header["msgstr"]
    assert "fuzzy" not in header["flags"]


@pytest.mark.parametrize("app", APPS)
def test_app_catalogue_has_no_fuzzy_or_empty_translations(app):
    messages = _messages(app)
    assert messages, f"{app} catalogue has no messages"
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in messages if not all(t.strip() for t in _translations(e))]
    assert fuzzy == []
    assert empty == []


@pytest.mark.parametrize("app", APPS)
def test_app_translations_keep_their_placeholders(app):
    wrong = [
        e["msgid"]
        for e in _messages(app)
        for msgstr in _translations(e)
        if sorted(PLACEHOLDER.findall(msgstr))
        != sorted(PLACEHOLDER.findall(e.get("msgid_plural", e["msgid"])))
    ]
    assert wrong == []


@pytest.mark.parametrize("app", APPS)
def test_app_compiled_catalogue_matches_the_po_file(app):
    messages = _messages(app)
    with _catalogue(app).with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog
    stale = []
    for entry in messages:
        if "msgid_plural" in entry:
            got, want = compiled.get((_key(entry), 0)), entry["msgstr[0]"]
        else:
            got, want = compiled.get(_key(entry)), entry["msgstr"]
        if got != want:
            stale.append(entry["msgid"])
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
