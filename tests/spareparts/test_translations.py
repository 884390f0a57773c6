"""The spare-parts zh_Hans catalogue is complete, compiled, and used by the pages."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

LC = Path(settings.BASE_DIR) / "spareparts" / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_has_a_chinese_translation_and_the_mo_is_fresh():
    po = (LC / "django.po").read_text(encoding="utf-8")
    untranslated = re.findall(r'\nmsgid "(.+)"\n(?:msgid_plural .*\n)?msgstr(?:\[0\])? ""\n\n', po)
    assert untranslated == []
    assert '#, fuzzy\nmsgid "' not in po
    assert (LC / "django.mo").stat().st_mtime >= (LC / "django.po").stat().st_mtime - 1


def test_stock_page_in_chinese(logistics, login, depots, battery):
    client = login(logistics)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("spareparts:stock")).content.decode()
    assert "备件库存" in page and "仅显示低库存" in page
