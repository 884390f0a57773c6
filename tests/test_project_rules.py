"""House rules that no linter knows, checked by walking the syntax tree of our code.

Each rule names its one allowed home; a change that needs another place changes the
constant here, in review. Scanned: every ``.py`` file of the project except tests,
migrations, benchmarks and scripts (``SKIPPED_DIRS``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", ".local", "var", "node_modules", "tests", "bench", "scripts", "migrations"}

# Where an incident's status is set: the lifecycle services.
STATUS_WRITERS = ("incidents/services/", "demo/")
# Where stock moves: the spare-parts services.
STOCK_WRITERS = ("spareparts/services/",)
# The one timeline writer.
TIMELINE_MODULES = ("incidents/timeline.py",)
# Raw SQL outside a module named ``*_pg.py`` / ``*sql.py`` (the named accelerators).
RAW_SQL_ALLOWED = (
    "accounts/api/idempotency.py",  # the advisory lock on (user, key)
    "assessments/evaluation.py",  # per-transaction planner settings for the quarter report
    "core/health.py",  # the readiness probe's SELECT 1
    "spareparts/services/ledger.py",  # the balance's guarded UPDATE (STOCK_GUARD)
)

WRITE_METHODS = {"update", "create", "get_or_create", "update_or_create", "bulk_create"}
STOCK_FIELDS = {"on_hand", "reserved", "on_hand_delta", "reserved_delta"}
STOCK_MODELS = {"StockMove", "StockBalance"}
RAW_SQL_CALLS = {"cursor", "raw", "extra", "RawSQL"}


def _python_files() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if not SKIPPED_DIRS.intersection(parts):
            yield path


@cache
def _trees() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in _python_files()
    ]


def _root_name(node: ast.AST) -> str:
    """``Incident`` for ``Incident.objects.filter(...).update``; "" when not a name chain."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return ""


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _names_an_incident(node: ast.AST) -> bool:
    """``incident``, ``self.incident``, ``locked_incident``: an expression for an incident."""
    if isinstance(node, ast.Name):
        return "incident" in node.id.lower()
    if isinstance(node, ast.Attribute):
        return "incident" in node.attr.lower()
    return False


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return list(node.targets)
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return [node.target]
    return []


def _keywords(call: ast.Call) -> set[str]:
    return {k.arg for k in call.keywords if k.arg}


def _where(path: str, node: ast.AST) -> str:
    return f"{path}:{getattr(node, 'lineno', 0)}"


def _outside(path: str, allowed: tuple[str, ...]) -> bool:
    return not any(path == a or (a.endswith("/") and path.startswith(a)) for a in allowed)


# -- the rules: each returns the places that break it ----------------------------------------


def _sets_incident_status(node: ast.AST) -> bool:
    if any(
        isinstance(t, ast.Attribute) and t.attr == "status" and _names_an_incident(t.value)
        for t in _targets(node)
    ):
        return True
    if not (isinstance(node, ast.Call) and "status" in _keywords(node)):
        return False
    name = _called_name(node)
    return name == "Incident" or (name in WRITE_METHODS and _root_name(node.func) == "Incident")


def incident_status_writes(path: str, tree: ast.Module) -> list[str]:
    if not _outside(path, STATUS_WRITERS):
        return []
    return [_where(path, node) for node in ast.walk(tree) if _sets_incident_status(node)]


def _moves_stock(node: ast.AST) -> bool:
    if any(isinstance(t, ast.Attribute) and t.attr in STOCK_FIELDS for t in _targets(node)):
        return True
    if not isinstance(node, ast.Call):
        return False
    name = _called_name(node)
    stock_keywords = bool(STOCK_FIELDS & _keywords(node))
    return (
        (name in STOCK_MODELS and stock_keywords)
        or (name in WRITE_METHODS and _root_name(node.func) in STOCK_MODELS)
        or (name in WRITE_METHODS - {"create"} and stock_keywords)
    )


def stock_moves(path: str, tree: ast.Module) -> list[str]:
    if not _outside(path, STOCK_WRITERS):
        return []
    return [_where(path, node) for node in ast.walk(tree) if _moves_stock(node)]


def timeline_writes(path: str, tree: ast.Module) -> list[str]:
    if path in TIMELINE_MODULES:
        return []
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        if name == "IncidentEvent" or (
            name in WRITE_METHODS and _root_name(node.func) == "IncidentEvent"
        ):
            found.append(_where(path, node))
    return found


def _runs_raw_sql(node: ast.AST) -> bool:
    """``connection.cursor()``, ``.raw()``, ``.extra()``, ``RawSQL()``, or psycopg's
    ``cursor.copy("COPY ...")``."""
    if not isinstance(node, ast.Call):
        return False
    name = _called_name(node)
    if name == "copy":
        first = node.args[0] if node.args else None
        return isinstance(first, ast.Constant | ast.JoinedStr) and "COPY" in ast.unparse(first)
    return name in RAW_SQL_CALLS


def raw_sql(path: str, tree: ast.Module) -> list[str]:
    stem = Path(path).stem
    if stem.endswith(("_pg", "sql")) or path in RAW_SQL_ALLOWED:
        return []
    return [_where(path, node) for node in ast.walk(tree) if _runs_raw_sql(node)]


def _is_views_module(path: str) -> bool:
    parts = Path(path).parts
    return Path(path).stem.endswith("views") or "views" in parts[:-1]


def incident_fetched_in_views(path: str, tree: ast.Module) -> list[str]:
    if not _is_views_module(path):
        return []
    return [
        _where(path, node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _called_name(node) in {"get_object_or_404", "get_list_or_404"}
        and node.args
        and _root_name(node.args[0]) == "Incident"
    ]


def _broken(rule) -> list[str]:
    return [place for path, tree in _trees() for place in rule(path, tree)]


def _assert_kept(rule) -> None:
    broken = _broken(rule)
    assert not broken, f"{rule.__name__} at:\n" + "\n".join(broken)


# -- the tests ---------------------------------------------------------------------------------


def test_only_the_lifecycle_services_set_an_incidents_status():
    _assert_kept(incident_status_writes)


def test_only_the_spareparts_services_move_stock():
    _assert_kept(stock_moves)


def test_only_the_timeline_module_writes_incident_events():
    _assert_kept(timeline_writes)


def test_raw_sql_lives_in_named_accelerator_modules():
    _assert_kept(raw_sql)


def test_views_fetch_incidents_through_the_access_policy():
    """incidents/access.py's get_incident_for() decides 404 for what a user may not see."""
    _assert_kept(incident_fetched_in_views)


# -- the rules see what they are meant to see ---------------------------------------------------

VIOLATIONS = {
    incident_status_writes: [
        "incident.status = Status.CLOSED",
        "self.incident.status = 'resolved'",
        "Incident.objects.filter(pk=1).update(status='closed')",
        "Incident(status='reported')",
    ],
    stock_moves: [
        "balance.on_hand += 1",
        "StockBalance.objects.filter(pk=1).update(reserved=F('reserved') + 1)",
        "StockMove.objects.create(part=p, depot=d, quantity=1)",
        "StockMove(part=p, on_hand_delta=1)",
    ],
    timeline_writes: [
        "IncidentEvent(incident=i, kind='note')",
        "IncidentEvent.objects.bulk_create(events)",
    ],
    raw_sql: [
        "with connection.cursor() as c: pass",
        "Incident.objects.raw('SELECT 1')",
        "qs.annotate(x=RawSQL('1', []))",
        "cursor.copy('COPY incidents_incidentevent FROM STDIN')",
    ],
    incident_fetched_in_views: [
        "get_object_or_404(Incident, pk=pk)",
        "get_object_or_404(Incident.objects.select_related('category'), pk=pk)",
    ],
}
ALLOWED = {
    incident_status_writes: [
        "Incident.objects.filter(status='reported').count()",
        "transfer.status = 'received'",
    ],
    stock_moves: ["StockBalance.objects.filter(on_hand__gt=0)", "x.on_hand_label = 1"],
    timeline_writes: ["IncidentEvent.objects.filter(kind='note')"],
    raw_sql: ["Incident.objects.filter(pk=1)", "query = request.GET.copy()"],
    incident_fetched_in_views: ["get_object_or_404(Team, pk=pk)"],
}


@pytest.mark.parametrize(
    ("rule", "code"), [(rule, code) for rule, codes in VIOLATIONS.items() for code in codes]
)
def test_rule_catches(rule, code):
    assert rule("app/views.py", ast.parse(code)) == ["app/views.py:1"]


@pytest.mark.parametrize(
    ("rule", "code"), [(rule, code) for rule, codes in ALLOWED.items() for code in codes]
)
def test_rule_allows(rule, code):
    assert rule("app/views.py", ast.parse(code)) == []


def test_the_scan_sees_our_apps_and_skips_tests_and_migrations():
    paths = {path for path, _tree in _trees()}
    assert "incidents/models.py" in paths and "core/roles.py" in paths
    assert not any(p.startswith("tests/") or "/migrations/" in p for p in paths)
