"""A small .po reader shared by the translation tests (no extra dependency)."""

import ast
import gettext
import re
from pathlib import Path

PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdfr]|%[-#0 +]*\d*[sdfr]")
KEYWORDS = ("msgctxt", "msgid", "msgid_plural", "msgstr")


def entries(text: str) -> list[dict]:
    """One dict per entry (flags, msgctxt, msgid, msgid_plural, msgstr*).

    An entry ends at a blank line or where a comment or a new msgctxt/msgid follows a msgstr
    (makemessages sometimes writes the first entry right under the header). Obsolete entries
    (``#~``) are skipped.
    """
    found, entry, field = [], None, None

    def close():
        nonlocal entry, field
        if entry is not None and "msgid" in entry:
            found.append(entry)
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
    return found


def translations(entry: dict) -> list[str]:
    return [v for k, v in entry.items() if k.startswith("msgstr")]


def key(entry: dict) -> str:
    context = entry.get("msgctxt")
    return f"{context}\x04{entry['msgid']}" if context is not None else entry["msgid"]


def stale_in_mo(po: Path, messages: list[dict]) -> list[str]:
    """The msgids whose compiled translation (the .mo beside ``po``) differs from the .po."""
    with po.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog
    stale = []
    for entry in messages:
        if "msgid_plural" in entry:
            got, want = compiled.get((key(entry), 0)), entry["msgstr[0]"]
        else:
            got, want = compiled.get(key(entry)), entry["msgstr"]
        if got != want:
            stale.append(entry["msgid"])
    return stale
