"""A shared, fast bench data set: N incidents in a dedicated bench database, by COPY.

    from bench.dataset import bench_database_url, ensure_incidents
    url = bench_database_url()            # DATABASE_URL with the database name aftersales_bench
    ensure_incidents(url, 1_000_000)      # creates + migrates the database, then tops up by COPY

Realistic shape: two years of reports; 97% closed or cancelled, the rest open (some overdue,
some escalated); grades 5/25/70% I/II/III; 40 technicians in 8 service centres; 50,000
customers, each with a name and a phone, encrypted and blind-indexed as the app writes them
(core/crypto.py, with the keys of the environment or the development ones): each distinct
value is encrypted once and its ciphertext reused, so the encryption costs a fraction of a
second, not a million AES operations. Run directly (`python bench/dataset.py [N]`) to build
it and print how long it took.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.crypto import (  # noqa: E402
    DEV_BLIND_INDEX_KEY,
    DEV_FIELD_ENCRYPTION_KEY,
    Keyring,
    blind_index,
)

BENCH_DB = os.environ.get("BENCH_DATABASE_NAME", "aftersales_bench")
TECHNICIANS = 40
CENTRES = 8
CHUNK = 50_000
CUSTOMERS = 50_000
COLUMNS = (
    "id",
    "number",
    "title",
    "description",
    "category_id",
    "grade",
    "status",
    "channel",
    "service_mode",
    "customer_name",
    "customer_phone",
    "customer_name_bidx",
    "customer_phone_bidx",
    "asset_ref",
    "location",
    "impact_scope",
    "initial_handling",
    "external_ref",
    "assignee_id",
    "team_id",
    "resolution",
    "cancel_reason",
    "reported_at",
    "confirmed_at",
    "resolved_at",
    "closed_at",
    "confirm_deadline",
    "arrive_deadline",
    "resolve_deadline",
    "next_deadline",
    "escalation_level",
    "created_at",
    "updated_at",
)
TITLES = (
    "Battery will not charge",
    "Motor controller fault",
    "Tyre burst on highway",
    "Charger overheating",
    "Brake warning light",
    "Door will not close",
    "Air conditioning failure",
    "Customer complaint about repair delay",
)


def bench_database_url(base_url: str | None = None) -> str:
    base = urlsplit(base_url or os.environ["DATABASE_URL"])
    return urlunsplit(base._replace(path=f"/{BENCH_DB}"))


def _ensure_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
        env=env,
        check=True,
        cwd=ROOT,
    )


def _reference_rows(conn) -> tuple[list[int], list[int], list[int]]:
    """Service centres and technicians the incidents point at (created once)."""
    for n in range(CENTRES):
        conn.execute(
            "INSERT INTO teams_team (name, name_zh, slug, kind, service_area, phone, is_active)"
            " VALUES (%s, '', %s, 'service_centre', '', '', true) ON CONFLICT (slug) DO NOTHING",
            [f"Bench centre {n}", f"bench-centre-{n}"],
        )
    teams = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM teams_team WHERE slug LIKE 'bench-centre-%%' ORDER BY id"
        )
    ]
    for n in range(TECHNICIANS):
        conn.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,"
            " email, is_staff, is_active, date_joined) VALUES ('!', false, %s, 'Bench', %s,"
            " '', false, true, now()) ON CONFLICT (username) DO NOTHING",
            [f"bench-tech-{n}", str(n)],
        )
    users = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM auth_user WHERE username LIKE 'bench-tech-%%' ORDER BY id"
        )
    ]
    categories = [r[0] for r in conn.execute("SELECT id FROM incidents_category ORDER BY id")]
    return teams, users, categories


def customer_phone(n: int) -> str:
    """The phone of bench customer ``n`` as typed (a bench may search by it)."""
    return f"+86 139 {n // 10_000:04d} {n % 10_000:04d}"


def _customers() -> list[tuple[str, str, str, str]]:
    """(name, phone, name index, phone index) of each bench customer, as stored."""
    keys = Keyring(
        [k for k in os.environ.get("FIELD_ENCRYPTION_KEYS", "").split(",") if k.strip()]
        or [DEV_FIELD_ENCRYPTION_KEY]
    )
    index_key = os.environ.get("BLIND_INDEX_KEY") or DEV_BLIND_INDEX_KEY
    out = []
    for n in range(CUSTOMERS):
        name, phone = f"Customer {n}", customer_phone(n)
        out.append(
            (
                keys.encrypt(name),
                keys.encrypt(phone),
                blind_index("name", name, key=index_key),
                blind_index("phone", phone, key=index_key),
            )
        )
    return out


def _ts(value: datetime | None) -> str:
    return "\\N" if value is None else value.isoformat()


def _rows(start: int, count: int, teams, users, categories, customers, now: datetime):
    rng = random.Random(start)  # noqa: S311 - bench data, not security
    span = 2 * 365 * 24 * 3600
    out = io.StringIO()
    for pk in range(start, start + count):
        reported = now - timedelta(seconds=rng.randrange(span))
        grade = rng.choices(("I", "II", "III"), (5, 25, 70))[0]
        confirm = reported + timedelta(minutes=30)
        arrive = reported + timedelta(minutes={"I": 120, "II": 240, "III": 480}[grade])
        resolve = reported + timedelta(minutes={"I": 480, "II": 1440, "III": 4320}[grade])
        roll = rng.random()
        status = (
            "closed"
            if roll < 0.94
            else "cancelled"
            if roll < 0.97
            else rng.choice(("reported", "confirmed", "dispatched", "on_site"))
        )
        open_ = status in ("reported", "confirmed", "dispatched", "on_site")
        if open_:  # open ones are recent
            reported = now - timedelta(seconds=rng.randrange(3 * 24 * 3600))
            confirm = reported + timedelta(minutes=30)
            arrive = reported + timedelta(minutes=120)
            resolve = reported + timedelta(minutes=480)
        assigned = status not in ("reported", "confirmed", "cancelled")
        tech = rng.randrange(len(users))
        nxt = {
            "reported": confirm,
            "confirmed": arrive,
            "dispatched": arrive,
            "on_site": resolve,
        }.get(status)
        closed = status == "closed"
        values = (
            pk,
            f"AS-{reported:%Y%m%d}-{pk:06d}",
            rng.choice(TITLES),
            "Bench report",
            rng.choice(categories),
            grade,
            status,
            rng.choice(("hotline", "web", "api")),
            "",
            *customers[pk % CUSTOMERS],
            f"LSVAU2180N{pk:07d}",
            "G4 km 1203",
            "",
            "",
            f"EXT-{pk}",
            users[tech] if assigned else "\\N",
            teams[tech % len(teams)] if assigned else "\\N",
            "Fixed on site" if closed or status == "resolved" else "",
            "Duplicate" if status == "cancelled" else "",
            _ts(reported),
            _ts(confirm if status != "reported" else None),
            _ts(resolve if closed else None),
            _ts(resolve + timedelta(hours=1) if closed else None),
            _ts(confirm),
            _ts(arrive),
            _ts(resolve),
            _ts(nxt),
            1 if (open_ and rng.random() < 0.3) else 0,
            _ts(reported),
            _ts(reported),
        )
        out.write("\t".join(str(v) for v in values))
        out.write("\n")
    return out.getvalue()


def ensure_incidents(database_url: str, n: int) -> int:
    """Make sure the bench database exists, is migrated and holds at least ``n`` incidents.
    Returns the number on file. Idempotent; a second call with the same ``n`` is instant."""
    _ensure_database(database_url)
    _migrate(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        have = conn.execute(
            "SELECT coalesce(max(id), 0), count(*) FROM incidents_incident"
        ).fetchone()
        if have[1] >= n:
            return have[1]
        teams, users, categories = _reference_rows(conn)
        start = have[0] + 1
        now = datetime.now(UTC)
        todo = n - have[1]
        customers = _customers()
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY incidents_incident ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for offset in range(0, todo, CHUNK):
                copy.write(
                    _rows(
                        start + offset,
                        min(CHUNK, todo - offset),
                        teams,
                        users,
                        categories,
                        customers,
                        now,
                    )
                )
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('incidents_incident', 'id'),"
            " (SELECT max(id) FROM incidents_incident))"
        )
        conn.execute("VACUUM ANALYZE incidents_incident")
        return conn.execute("SELECT count(*) FROM incidents_incident").fetchone()[0]


if __name__ == "__main__":
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    started = time.perf_counter()
    total = ensure_incidents(bench_database_url(), wanted)
    print(
        f"bench dataset: {total:,} incidents in {BENCH_DB} "
        f"(ready in {time.perf_counter() - started:.1f} s)"
    )
