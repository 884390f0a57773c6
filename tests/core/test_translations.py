"""The project-level zh_Hans catalogue (locale/) is complete, compiled and used.

App catalogues (spareparts, assessments, escalation, ...) are checked by their owners.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from tests.pofile import PLACEHOLDER, entries, stale_in_mo, translations

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"


def _entries(path: Path) -> list[dict]:
    return entries(path.read_text(encoding="utf-8"))


def _messages() -> list[dict]:
    return [e for e in _entries(PO) if e.get("msgid")]


def test_parser_sees_fuzzy_flags_and_emptytranslations(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        '#, fuzzy, python-format\nmsgid "Step %(n)s"\nmsgstr "第 %(n)s 级"\n\n'
        'msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\n',
        encoding="utf-8",
    )
    step, plural = _entries(po)
    assert step["flags"] == {"fuzzy", "python-format"}
    assert translations(plural) == [""]


def test_catalogue_has_plural_forms_header_for_chinese():
    header = next(e for e in _entries(PO) if e.get("msgid") == "")
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"]
    assert "fuzzy" not in header["flags"]


def test_catalogue_has_no_fuzzy_or_untranslated_entries():
    messages = _messages()
    assert len(messages) > 300
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in messages if not all(translations(e))]
    assert fuzzy == []
    assert empty == []


def test_translations_keep_their_placeholders():
    wrong = [
        e["msgid"]
        for e in _messages()
        for msgstr in translations(e)
        if sorted(PLACEHOLDER.findall(msgstr)) != sorted(PLACEHOLDER.findall(e["msgid"]))
    ]
    assert wrong == []


def test_compiled_catalogue_matches_the_po_file():
    stale = stale_in_mo(PO, _messages())
    assert stale == [], "run compilemessages for locale/zh_Hans"


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Incidents", "事件"),
        ("My jobs", "我的工单"),
        ("Emergency HQ", "应急指挥部"),
        ("Technical support group", "技术支持组"),
        ("Dispatched", "已派工"),
        ("On-site repair", "现场维修"),
        ("Timeline", "时间线"),
    ],
)
def test_key_strings_translate_to_simplified_chinese(english, chinese):
    with translation.override("zh-hans"):
        assert _(english) == chinese


def test_contexts_and_plurals_translate():
    with translation.override("zh-hans"):
        assert pgettext("days abbreviation", "d") == "天"
        assert pgettext("hours abbreviation", "h") == "小时"
        assert pgettext("minutes abbreviation", "m") == "分"
        message = ngettext("%(counter)s incident", "%(counter)s incidents", 3)
        assert message % {"counter": 3} == "3 个事件"


def test_template_strings_render_in_chinese():
    template = Template(
        "{% load i18n %}{% translate 'Log a new report' %}|"
        "{% blocktranslate with n=2 %}Escalated · step {{ n }}{% endblocktranslate %}"
    )
    with translation.override("zh-hans"):
        assert template.render(Context()) == "登记新报告|已升级 · 第 2 级"


def test_english_stays_english():
    with translation.override("en"):
        assert _("Incidents") == "Incidents"
