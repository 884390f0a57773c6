"""Spreadsheet safety for every export (CSV and XLSX).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
as a formula by Excel, LibreOffice and Google Sheets: ``=HYPERLINK("https://evil.example",
"Click")`` typed as a category name or an incident title would become a live link (or worse,
DDE) in the manager's spreadsheet. OWASP's advice: prefix such a cell with an apostrophe, so
it is shown as the text it is. Numbers and dates are left as they are.
"""

from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, with a leading apostrophe when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]
