"""Where the time of one page goes: the applicant's status page and the caseworker's inbox, in this process through
the Flask test client, on a database seeded by bench_load.py (or bench_web.py).

    .venv/bin/python benchmarks/profile_pages.py --instance /tmp/hsload [--requests 200] [--top 25]

Prints per page: CPU milliseconds per request, SQL statements per request, and cProfile's top functions by
cumulative time.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo-password-2026"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--pages", default="status,inbox")
    args = parser.parse_args()
    os.environ["HOUSING_INSTANCE_PATH"] = args.instance
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import event, select

    from housing_security import create_app
    from housing_security.extensions import db
    from housing_security.models import Application, Household, User

    app = create_app({"SECRET_KEY": "bench-secret", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        username, application_id = db.session.execute(
            select(User.username, Application.id).join(Household, Household.owner_id == User.id)
            .join(Application, Application.household_id == Household.id)
            .where(User.username.like("demo%"), Application.status != "draft").order_by(Application.id)
            .limit(1)).one()
        statements = {"count": 0}
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.__setitem__("count",
                                                                                          statements["count"] + 1))
    pages = {"status": (username, f"/me/applications/{application_id}"), "inbox": ("wangqiang", "/cases/")}
    for name in args.pages.split(","):
        user, path = pages[name]
        client = app.test_client()
        assert client.post("/login", data={"username": user, "password": DEMO_PASSWORD}).status_code == 302
        for _ in range(5):  # warm caches
            assert client.get(path).status_code == 200
        profile = cProfile.Profile(time.process_time)  # CPU time: other processes share the cores
        cpu = time.process_time()
        for _ in range(args.requests):  # first without the profiler: its overhead would inflate the figure
            client.get(path)
        cpu = time.process_time() - cpu
        statements["count"] = 0
        profile.enable()
        for _ in range(args.requests):
            client.get(path)
        profile.disable()
        print(f"\n{name} {path}: {1000 * cpu / args.requests:.2f} ms CPU (without the profiler), "
              f"{statements['count'] / args.requests:.1f} SQL statements per request")
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats("housing_security|templates", args.top)


if __name__ == "__main__":
    main()
