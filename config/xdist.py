"""Each pytest-xdist worker gets Redis databases of its own (DJANGO_ENV=test only).

`make test` runs the suite in two workers (tests/conftest.py keeps every test that starts
processes or a browser in one of them, one after another). Both workers' tests enqueue
Celery messages and clear the cache, and the processes an integration test starts consume
the broker's queue, so worker N uses the broker and cache databases of the environment plus
2N (gw0: 0 and 1, gw1: 2 and 3 under `make test`). xdist names the worker in
PYTEST_XDIST_WORKER before the settings are imported. The processes a test starts inherit
the changed environment, and XDIST_REDIS_SEPARATED, so they do not add the offset again.
"""

import os


def separate_redis_databases() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not (worker.startswith("gw") and worker[2:].isdigit()) or worker == "gw0":
        return
    if os.environ.get("XDIST_REDIS_SEPARATED") == worker:
        return
    os.environ["XDIST_REDIS_SEPARATED"] = worker
    offset = 2 * int(worker[2:])
    for name in ("CELERY_BROKER_URL", "CACHE_URL"):
        url = os.environ.get(name, "")
        base, _, db = url.rpartition("/")
        if url.startswith("redis://") and db.isdigit():
            os.environ[name] = f"{base}/{int(db) + offset}"
