"""Pages bench: the desk crawled as each role with 1,000,000 incidents on file; server time
per URL pattern. Goal: p95 < 150 ms for every pattern, none over 500 ms.

Each role starts at its home page and follows same-site links breadth-first (at most
PER_PATTERN URLs per pattern, the same bounds as the browser crawl in
tests/e2e/test_crawl.py), through Django's test client in this process: the full
middleware, template and context-processor stack, no network. Each URL is requested once to
warm up and then REPEAT times; the figures are those repeats. Downloads (CSV, XLSX, PDF)
are left out: they stream whole result sets and have goals of their own.
"""

from __future__ import annotations

import math
import os
import re
import statistics
import sys
import time
from collections import defaultdict, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dataset import bench_database_url, ensure_incidents  # noqa: E402

N_INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "1000000"))
PER_PATTERN = int(os.environ.get("BENCH_PAGES_PER_PATTERN", "4"))
REPEAT = int(os.environ.get("BENCH_PAGES_REPEAT", "5"))
MAX_PAGES = 120
GOAL_P95_MS, GOAL_MAX_MS = 150, 500
ROLES = ("dispatcher", "manager", "technician", "logistics", "legal")
SKIP = re.compile(r"^/(logout/|i18n/|api/|admin/|static/|media/)")
DOWNLOAD = re.compile(r"\.(csv|xlsx|pdf)$|/export\b|[?&]format=(csv|xlsx)")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def setup(url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_ENV": "development",
            "DEBUG": "false",
            "LOG_LEVEL": "ERROR",
            "ALLOWED_HOSTS": "testserver",
        }
    )
    import django

    django.setup()


def users() -> dict:
    """One login per role; the technician is a bench technician with jobs in the data set."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from teams.models import Membership, Team

    user_model = get_user_model()
    found = {}
    for role in ROLES:
        if role == "technician":
            user = user_model.objects.get(username="bench-tech-0")
            team = Team.objects.filter(slug__startswith="bench-centre-").order_by("id").first()
            Membership.objects.get_or_create(team=team, user=user)
        else:
            user = user_model.objects.get_or_create(username=f"bench-page-{role}")[0]
        user.groups.add(Group.objects.get(name=role))
        found[role] = user
    return found


def crawl(client, timings: dict) -> int:
    from django.urls import Resolver404, resolve

    start = "/"
    response = client.get(start)
    if response.status_code in (301, 302):  # a technician's home is their job list
        start = response.headers["Location"]
    seen, queue, per_pattern, pages = {start}, deque([start]), defaultdict(int), 0
    while queue and pages < MAX_PAGES:
        path = queue.popleft()
        try:
            name = resolve(urlsplit(path).path).view_name
        except Resolver404:
            continue
        if per_pattern[name] >= PER_PATTERN:
            continue
        per_pattern[name] += 1
        pages += 1
        response = client.get(path)
        if response.status_code >= 400:
            raise SystemExit(f"{path} answered {response.status_code}")
        for _ in range(REPEAT):
            started = time.perf_counter()
            client.get(path)
            timings[name].append((time.perf_counter() - started) * 1000)
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            parts = urlsplit(urljoin(f"http://testserver{path}", href))
            if parts.netloc != "testserver" or SKIP.search(parts.path):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if DOWNLOAD.search(link) or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    return pages


def main() -> None:
    url = bench_database_url()
    total = ensure_incidents(url, N_INCIDENTS)
    setup(url)
    from django.test import Client

    timings: dict[str, list[float]] = defaultdict(list)
    for role, user in users().items():
        client = Client()
        client.force_login(user)
        pages = crawl(client, timings)
        print(f"{role}: {pages} pages")
    print(f"\nserver time per URL pattern with {total:,} incidents ({REPEAT} requests per URL)")
    print(f"{'pattern':<42} {'n':>4} {'median':>8} {'p95':>8} {'max':>8}")
    failed = []
    for name, values in sorted(timings.items(), key=lambda kv: -max(kv[1])):
        values.sort()
        p95 = values[math.ceil(len(values) * 0.95) - 1]  # nearest rank
        ok = p95 < GOAL_P95_MS and values[-1] < GOAL_MAX_MS
        if not ok:
            failed.append(name)
        print(
            f"{name:<42} {len(values):>4} {statistics.median(values):>6.1f}ms "
            f"{p95:>6.1f}ms {values[-1]:>6.1f}ms{'' if ok else '  MISSES GOAL'}"
        )
    print(
        f"\ngoal: p95 < {GOAL_P95_MS} ms and max < {GOAL_MAX_MS} ms for every pattern: "
        + ("met" if not failed else f"missed by {len(failed)}: {', '.join(failed)}")
    )


if __name__ == "__main__":
    main()
