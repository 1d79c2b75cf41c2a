"""The web app under concurrent load: the 20,000-household SQLite database of bench_web.py, served by werkzeug's
threaded WSGI server on 127.0.0.1, driven by locust (headless, through its library API) at a few concurrency levels.

    .venv/bin/python benchmarks/bench_load.py --instance /tmp/hs20k [--users 1,5,20] [--duration 20]

Seeding is bench_web.py's (same child process, same demo.seed, demo accounts hashed with pbkdf2:sha256:1000);
with --instance DIR a database already seeded there is reused. The server runs in a child process (a thread pool of
its own, one thread per request, no gevent in it): locust monkey-patches its process with gevent, and a server in
the same process would share one GIL with the load generator. The server stops by itself when this script ends or
after --server-lifetime seconds, whichever comes first. All traffic goes to 127.0.0.1.

Each simulated user signs in three times on start (its own demo applicant, `wangqiang`, `liuchu`; not timed) and
then, with no think time, requests pages in this mix: 70% applicant (status page and home, half each), 25%
caseworker (inbox first page and a case page of the street, half each), 5% bureau dashboard. Each concurrency
level runs for a fixed time; requests/s, median and p95 latency per page and the errors (anything but 200, or a
connection error) are printed.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import shutil
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_web  # noqa: E402  (seeding and the app config: the same as the page benchmark)

PAGES = (  # (name, role, weight): 70% applicant, 25% caseworker, 5% bureau
    ("applicant status page", "applicant", 35),
    ("applicant home", "applicant", 35),
    ("caseworker inbox, first page", "caseworker", 12.5),
    ("case page", "caseworker", 12.5),
    ("bureau dashboard", "bureau", 5),
)


# ---------------------------------------------------------------------------------------------- the server (child)

def serve(instance: Path, lifetime: float, max_users: int, begin: str) -> None:
    """Child process: migrate, look up the accounts and cases the load needs, print them as one JSON line, then
    serve on 127.0.0.1 until stdin closes (the parent ended) or `lifetime` seconds pass."""
    import logging

    if begin != "app":  # for comparison only: the app begins GETs deferred and every other transaction IMMEDIATE
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        from housing_security import extensions

        event.remove(Engine, "begin", extensions._sqlite_begin_immediate)

        statement = "BEGIN" if begin == "deferred" else "BEGIN IMMEDIATE"

        @event.listens_for(Engine, "begin")
        def _forced(connection):
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql(statement)

    from flask_migrate import upgrade
    from sqlalchemy import select
    from werkzeug.serving import make_server

    from housing_security.extensions import db
    from housing_security.models import Application, Household, User

    app = bench_web._app(instance)
    with app.app_context():
        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()
        # Demo applicants (demoNNNN; every third index has no account) with the newest of their applications.
        rows = db.session.execute(
            select(User.username, Application.id).join(Household, Household.owner_id == User.id)
            .join(Application, Application.household_id == Household.id)
            .where(User.username.like("demo%"), Application.status != "draft")
            .order_by(User.username, Application.id.desc())).all()
        applicants: dict[str, int] = {}
        for username, application_id in rows:
            applicants.setdefault(username, application_id)
        wangqiang = db.session.scalar(select(User).where(User.username == "wangqiang"))
        cases = db.session.scalars(select(Application.id).where(Application.street_id == wangqiang.jurisdiction_id,
                                                                Application.status != "draft")
                                   .order_by(Application.id)).all()
        db.session.remove()
    rng = random.Random(1)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(json.dumps({"port": server.server_port, "applicants": list(applicants.items())[:max_users],
                      "cases": rng.sample(list(cases), min(50, len(cases)))}), flush=True)

    def stop_when_done():
        deadline = time.monotonic() + lifetime
        watcher = threading.Thread(target=sys.stdin.read, daemon=True)  # returns at EOF: the parent has gone
        watcher.start()
        watcher.join(max(0.0, deadline - time.monotonic()))
        server.shutdown()

    threading.Thread(target=stop_when_done, daemon=True).start()
    server.serve_forever()


# ---------------------------------------------------------------------------------------------- the load (parent)

def _seeded(instance: Path, households: int) -> bool:
    database = instance / "housing.sqlite"
    if not database.exists():
        return False
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM application").fetchone()[0] >= households
    except sqlite3.Error:
        return False


def _nearest_rank(sorted_times: list[float], percent: int) -> float:
    return sorted_times[max(0, -(-percent * len(sorted_times) // 100) - 1)]


def drive(base: str, setup: dict, levels: list[int], duration: float, server_pid: int) -> list[dict]:
    import gevent
    import psutil
    from locust import HttpUser, constant, task
    from locust.clients import HttpSession
    from locust.env import Environment

    applicants = setup["applicants"]
    cases = setup["cases"]
    records: list[tuple[str, float, bool]] = []  # (page, ms, ok) in the timed window
    signed_in = {"count": 0, "failed": 0, "retries": 0}
    recording = {"on": False}
    names, weights = [p[0] for p in PAGES], [p[2] for p in PAGES]

    class Visitor(HttpUser):
        host = base
        wait_time = constant(0)
        ordinal = 0

        def on_start(self):
            index = Visitor.ordinal
            Visitor.ordinal += 1
            self.username, self.application_id = applicants[index % len(applicants)]
            self.rng = random.Random(index)
            self.sessions = {"applicant": self.client}
            for role in ("caseworker", "bureau"):
                self.sessions[role] = HttpSession(base_url=self.host, request_event=self.environment.events.request,
                                                  user=self)
            ok = True
            for role, username in (("applicant", self.username), ("caseworker", "wangqiang"), ("bureau", "liuchu")):
                # Sign-in writes (a login session, an audit row). With --begin deferred, concurrent sign-ins fail
                # at once with 'database is locked' (a read transaction cannot become a writer while another
                # writes); not timed, so retried a few times.
                for attempt in range(30):
                    response = self.sessions[role].post("/login", name="sign in", allow_redirects=False,
                                                        data={"username": username,
                                                              "password": bench_web.DEMO_PASSWORD})
                    if response.status_code != 500:
                        break
                    signed_in["retries"] += 1
                    gevent.sleep(0.05 + 0.1 * self.rng.random())
                ok = ok and response.status_code == 302 and "/login" not in response.headers.get("Location", "")
            signed_in["count" if ok else "failed"] += 1

        def _get(self, role: str, path: str, name: str):
            with self.sessions[role].get(path, name=name, allow_redirects=False, catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"{response.status_code} {response.headers.get('Location', '')}")

        @task
        def visit(self):
            page = self.rng.choices(names, weights)[0]
            if page == "applicant status page":
                self._get("applicant", f"/me/applications/{self.application_id}", page)
            elif page == "applicant home":
                self._get("applicant", "/me/", page)
            elif page == "caseworker inbox, first page":
                self._get("caseworker", "/cases/", page)
            elif page == "case page":
                self._get("caseworker", f"/cases/{self.rng.choice(cases)}", page)
            else:
                self._get("bureau", "/bureau/", page)

    def on_request(request_type, name, response_time, response_length, exception=None, **kwargs):
        if recording["on"] and name != "sign in":
            records.append((name, response_time, exception is None))

    server = psutil.Process(server_pid)
    results = []
    for users in levels:
        records.clear()
        signed_in.update(count=0, failed=0, retries=0)
        Visitor.ordinal = 0
        environment = Environment(user_classes=[Visitor], host=base, catch_exceptions=True)
        environment.events.request.add_listener(on_request)
        runner = environment.create_local_runner()
        runner.start(users, spawn_rate=users)
        deadline = time.monotonic() + 60
        while signed_in["count"] + signed_in["failed"] < users and time.monotonic() < deadline:
            gevent.sleep(0.1)
        if signed_in["failed"] or signed_in["count"] < users:
            runner.quit()
            raise SystemExit(f"{users} users: {signed_in['count']} signed in, {signed_in['failed']} failed")
        cpu_before = sum(server.cpu_times()[:2])
        recording["on"] = True
        started = time.monotonic()
        gevent.sleep(duration)
        recording["on"] = False
        elapsed = time.monotonic() - started
        cpu = sum(server.cpu_times()[:2]) - cpu_before
        window = list(records)
        runner.quit()  # stops the users; a request in flight ends after the window and is not counted
        runner.greenlet.join(timeout=30)

        pages = []
        for name in names + ["all pages"]:
            times = sorted(ms for page, ms, ok in window if name in (page, "all pages"))
            errors = sum(1 for page, ms, ok in window if name in (page, "all pages") and not ok)
            if not times:
                pages.append((name, 0, 0.0, None, None, None, errors))
                continue
            pages.append((name, len(times), len(times) / elapsed, statistics.median(times),
                          _nearest_rank(times, 95), times[-1], errors))
        results.append({"users": users, "seconds": elapsed, "server_cpu": cpu / elapsed, "pages": pages})
        print(f"\n{users} concurrent users, {elapsed:.1f} s, server process CPU {100 * cpu / elapsed:.0f}% "
              f"(of one core); sign-ins retried after a 500: {signed_in['retries']}", flush=True)
        print(f"  {'page':30s} {'requests':>8s} {'req/s':>7s} {'median':>9s} {'p95':>9s} {'max':>9s} {'errors':>6s}")
        for name, count, rate, median, p95, longest, errors in pages:
            if median is None:
                print(f"  {name:30s} {count:8d} {rate:7.1f} {'—':>9s} {'—':>9s} {'—':>9s} {errors:6d}")
            else:
                print(f"  {name:30s} {count:8d} {rate:7.1f} {median:6.0f} ms {p95:6.0f} ms {longest:6.0f} ms "
                      f"{errors:6d}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--instance", help="a folder to keep (and reuse) the seeded database in")
    parser.add_argument("--users", default="1,5,20", help="concurrency levels, comma-separated")
    parser.add_argument("--duration", type=float, default=20, help="seconds per concurrency level")
    parser.add_argument("--server-lifetime", type=float, default=None,
                        help="the server stops by itself after this many seconds (default: enough for all levels)")
    parser.add_argument("--begin", choices=("app", "immediate", "deferred"), default="app",
                        help="app: the app's own rule (GETs deferred, writes IMMEDIATE); immediate / deferred force "
                             "one BEGIN on every transaction, for comparison")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the server child
    args = parser.parse_args()
    levels = [int(n) for n in args.users.split(",")]
    if max(levels) > 200 or args.duration > 120:
        raise SystemExit("keep it short: at most 200 users and 120 s per level")
    lifetime = args.server_lifetime or 120 + len(levels) * (args.duration + 90)

    if args.serve:
        serve(Path(args.instance), lifetime, max(levels), args.begin)
        return

    instance = Path(args.instance) if args.instance else Path(tempfile.mkdtemp(prefix="bench_load_"))
    instance.mkdir(parents=True, exist_ok=True)
    server = None
    server_log = open(instance / "bench_load_server.log", "w")  # the server's stderr (tracebacks of 500s)
    try:
        if _seeded(instance, args.households):
            print(f"reusing the database in {instance}")
        else:
            print(f"seeding {args.households} households in {instance} …", flush=True)
            started = time.perf_counter()
            child = multiprocessing.get_context("spawn").Process(target=bench_web._seed,
                                                                 args=(str(instance), args.households))
            child.start()
            child.join()
            if child.exitcode:
                raise SystemExit(f"seeding failed ({child.exitcode})")
            print(f"seeding took {time.perf_counter() - started:.1f} s", flush=True)

        server = subprocess.Popen([sys.executable, __file__, "--serve", "--instance", str(instance),
                                   "--users", args.users, "--duration", str(args.duration),
                                   "--server-lifetime", str(lifetime), "--begin", args.begin],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=server_log, text=True)
        line = server.stdout.readline()
        if not line:
            raise SystemExit(f"the server did not start ({server.wait(timeout=10)})")
        setup = json.loads(line)
        base = f"http://127.0.0.1:{setup['port']}"
        print(f"serving {base} (werkzeug ThreadedWSGIServer, pid {server.pid}, BEGIN {args.begin.upper()}); "
              f"{len(setup['applicants'])} demo applicants ({setup['applicants'][0][0]} …), "
              f"{len(setup['cases'])} of wangqiang's cases; {args.duration:.0f} s per level", flush=True)
        drive(base, setup, levels, args.duration, server.pid)
    finally:
        if server is not None:
            server.stdin.close()  # the server shuts itself down at EOF
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.terminate()
                server.wait(timeout=10)
        server_log.close()
        log = (instance / "bench_load_server.log").read_text()
        print(f"server log: {log.count('unhandled error')} unhandled errors, "
              f"{log.count('(sqlite3.OperationalError) database is locked')} of them 'database is locked'")
        if not args.instance:
            shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
