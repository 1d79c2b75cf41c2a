"""The web app under concurrent load, as it runs in production: gunicorn (2 workers × 4 threads by default) plus the
job queue's consumer (`housing-security worker`), on SQLite or PostgreSQL, driven by locust (headless, through its
library API, loopback only), with a bare Flask "hello" app under the same gunicorn settings as the ceiling.

    .venv/bin/python benchmarks/bench_load.py --instance /tmp/hsload [--households 2000] [--users 50] [--duration 15]
    .venv/bin/python benchmarks/bench_load.py --instance /tmp/hsload --database-url postgresql+psycopg://…/db

Phases, each `--duration` seconds with `--users` users and no think time:
1. ceiling: every user GETs the hello page;
2. status page: every user (a demo applicant, signed in) GETs its own application's status page;
3. mixed: applicants reading their status page, caseworkers (`wangqiang`) reading their inbox, and new applicants
   each registering and then filling in and submitting a complete application (address, two members, hukou,
   income, assets, housing, preferences, a PDF proof, the check page, submit) — 60/20/20 of the users.
Printed: requests/s, p50/p95/p99 and errors per request, the status page's ratio to the ceiling, submissions/s.
Afterwards the database is checked: submitted applications of the load's new accounts = successful submissions,
and no duplicates (one application and one reference per submission).

The database (seeded once with the real migrations and demo seeder; demo accounts hashed with pbkdf2:sha256:1000
so signing in stays cheap) is reused from --instance. The app runs with CSRF and rate limits off (the load would
otherwise need tokens and would hit the sign-up limit); everything else is the production configuration.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "demo-password-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PREFIX = "load"


def _environment(instance: Path, database_url: str | None) -> dict:
    env = dict(os.environ)
    env.update(HOUSING_INSTANCE_PATH=str(instance), HOUSING_SECRET_KEY="bench-secret",
               HOUSING_WTF_CSRF_ENABLED="false", HOUSING_RATELIMIT_ENABLED="false",
               HOUSING_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    if database_url:
        env["HOUSING_DATABASE_URL"] = database_url
    return env


# ---------------------------------------------------------------------------------------------- children

def setup(households: int) -> None:
    """Child: migrate, seed if needed, print the accounts and streets the load needs as one JSON line."""
    import logging

    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from housing_security import create_app
    from housing_security.extensions import db
    from housing_security.models import Application, Household, Jurisdiction, User
    from housing_security.services import demo

    app = create_app()
    with app.app_context():
        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()
        if db.session.scalar(select(func.count()).select_from(Application)) < households:
            started = time.perf_counter()
            demo.seed(households=households)
            print(f"seeded {households} households in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        rows = db.session.execute(
            select(User.username, Application.id).join(Household, Household.owner_id == User.id)
            .join(Application, Application.household_id == Household.id)
            .where(User.username.like("demo%"), Application.status != "draft")
            .order_by(User.username, Application.id.desc())).all()
        applicants: dict[str, int] = {}
        for username, application_id in rows:
            applicants.setdefault(username, application_id)
        street = db.session.scalar(select(Jurisdiction.id).where(Jurisdiction.kind == "street",
                                                                 Jurisdiction.code == "wucheng"))
        runs = db.session.scalar(select(func.count()).select_from(User).where(User.username.like(f"{PREFIX}%")))
        db.session.remove()
    print(json.dumps({"applicants": list(applicants.items())[:200], "street": street, "run": runs}), flush=True)


def check(usernames_file: str) -> None:
    """Child: the submitted applications of the load's new accounts, and duplicates among them."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from housing_security import create_app
    from housing_security.extensions import db
    from housing_security.models import Application, Household, User

    names = json.loads(Path(usernames_file).read_text())
    app = create_app()
    with app.app_context():
        rows = db.session.execute(
            select(User.username, Application.id, Application.reference, Application.status)
            .join(Household, Household.owner_id == User.id).join(Application, Application.household_id == Household.id)
            .where(User.username.in_(names))).all() if names else []
        submitted = [r for r in rows if r.status != "draft"]
        per_user: dict[str, int] = {}
        for r in submitted:
            per_user[r.username] = per_user.get(r.username, 0) + 1
        references = db.session.scalar(select(func.count(Application.reference.distinct())).where(
            Application.id.in_([r.id for r in submitted]))) if submitted else 0
    print(json.dumps({"accounts": len(names), "submitted": len(submitted), "drafts": len(rows) - len(submitted),
                      "users_with_two": sum(1 for n in per_user.values() if n > 1),
                      "distinct_references": references}), flush=True)


def _child(mode: list[str], env: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, *mode], env=env, cwd=str(ROOT), capture_output=True, text=True,
                         timeout=3600)
    if out.returncode:
        raise SystemExit(f"{mode[0]} failed:\n{out.stderr[-3000:]}")
    if out.stderr.strip():
        print(out.stderr.strip().splitlines()[-1], flush=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------- servers

class Server:
    """gunicorn (and, for the app, the job consumer) as child processes on 127.0.0.1."""

    def __init__(self, target: str, port: int, env: dict, workers: int, threads: int, log: Path,
                 consumer: bool = False):
        self.log = open(log, "a")
        self.processes = []
        if consumer:
            self.processes.append(subprocess.Popen([str(BIN / "housing-security"), "worker", "--workers", "1"],
                                                   env=env, cwd=str(ROOT), stdout=self.log, stderr=self.log))
        self.processes.append(subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads), "--bind",
             f"127.0.0.1:{port}", "--chdir", str(HERE if target.startswith("hello_app") else ROOT), "--log-level",
             "warning", target], env=env, cwd=str(ROOT), stdout=self.log, stderr=self.log))
        self.base = f"http://127.0.0.1:{port}"

    def wait(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + path, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.base}{path} did not answer")

    def pids(self) -> list[int]:
        import psutil

        found = []
        for process in self.processes:
            try:
                parent = psutil.Process(process.pid)
                found += [parent.pid] + [c.pid for c in parent.children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
        return found

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.log.close()


# ---------------------------------------------------------------------------------------------- the load

def _percentile(sorted_times: list[float], percent: int) -> float:
    return sorted_times[max(0, -(-percent * len(sorted_times) // 100) - 1)]


def drive(base: str, phase: str, setup_data: dict, users: int, duration: float, server_pids: list[int]) -> dict:
    from urllib.parse import urlencode

    import gevent
    import psutil
    from locust import FastHttpUser, HttpUser, constant, task
    from locust.env import Environment

    sys.path.insert(0, str(ROOT))
    from housing_security import policy

    applicants = setup_data["applicants"]
    records: list[tuple[str, float, bool]] = []
    recording = {"on": False}
    counters = {"ordinal": 0, "accounts": [], "signed_in": 0, "failed": 0}
    run = setup_data["run"]

    def expect(response, ok: bool, why: str = "") -> None:
        if not ok:
            response.failure(f"{response.status_code} {why} {response.headers.get('Location', '')}")

    form = {"Content-Type": "application/x-www-form-urlencoded"}

    class Hello(FastHttpUser):
        host, wait_time = base, constant(0)

        @task
        def hello(self):
            with self.client.get("/", name="hello", catch_response=True) as response:
                expect(response, response.status_code == 200)

    class Signed(FastHttpUser):
        abstract = True
        host, wait_time = base, constant(0)

        def sign_in(self, username: str) -> None:
            response = self.client.post("/login", name="sign in", allow_redirects=False, headers=form,
                                        data=urlencode({"username": username, "password": DEMO_PASSWORD}))
            ok = response.status_code == 302 and "/login" not in response.headers.get("Location", "")
            counters["signed_in" if ok else "failed"] += 1

    class StatusReader(Signed):
        def on_start(self):
            index = counters["ordinal"]
            counters["ordinal"] += 1
            username, self.application_id = applicants[index % len(applicants)]
            self.sign_in(username)

        @task
        def status(self):
            with self.client.get(f"/me/applications/{self.application_id}", name="status page",
                                 allow_redirects=False, catch_response=True) as response:
                expect(response, response.status_code == 200)

    class InboxReader(Signed):
        def on_start(self):
            self.sign_in("wangqiang")

        @task
        def inbox(self):
            with self.client.get("/cases/", name="caseworker inbox", allow_redirects=False,
                                 catch_response=True) as response:
                expect(response, response.status_code == 200)

    class Submitter(HttpUser):  # requests' client: multipart uploads (the readers use the faster client)
        host, wait_time = base, constant(0)

        def post(self, path: str, name: str, data: dict, **kwargs):
            with self.client.post(path, name=name, data=data, allow_redirects=False, catch_response=True,
                                  **kwargs) as response:
                expect(response, response.status_code == 302, name)
                return response

        @task
        def submit_an_application(self):
            n = counters["ordinal"]
            counters["ordinal"] += 1
            username = f"{PREFIX}{run}x{n}"
            self.client.cookies.clear()
            response = self.post("/register", "register", {"username": username, "display_name": "压测申请人",
                                                            "password": "a-long-password-1",
                                                            "confirm": "a-long-password-1"})
            if response.status_code != 302:
                return
            counters["accounts"].append(username)
            response = self.post("/me/apply", "start", {"programme": "public_rental",
                                                        "street_id": setup_data["street"]})
            found = re.search(r"/applications/(\d+)/edit", response.headers.get("Location", ""))
            if not found:
                return
            edit = f"/me/applications/{found.group(1)}/edit"
            born = date(1960, 1, 1) + timedelta(days=(run * 100003 + n) % 12000)
            self.post(f"{edit}/address", "address", {"street_id": setup_data["street"], "address": "小店区坞城路 1 号",
                                                     "phone": "13900000000"})
            self.post(f"{edit}/members/new", "member", {"name": "李秀兰", "relation": "self",
                                                        "id_number": policy.make_id_number("140105", born, n % 900)})
            self.post(f"{edit}/members/new", "member", {"name": "王建国", "relation": "spouse",
                                                        "id_number": policy.make_id_number(
                                                            "140105", born - timedelta(days=400), n % 900 + 1)})
            self.post(f"{edit}/hukou", "hukou", {"hukou_city": "taiyuan", "hukou_type": "urban"})
            page = self.client.get(f"{edit}/income", name="income form").text
            members = sorted(set(re.findall(r'name="(income_\d+)"', page)))
            self.post(f"{edit}/income", "income", {**{m: "600" for m in members}, "minimum_allowance": "y"})
            self.post(f"{edit}/assets", "assets", {"assets_yuan": "5000"})
            self.post(f"{edit}/housing", "housing", {"current_area_m2": "18.5"})
            self.post(f"{edit}/preferences", "preferences", {"preferences": ["xiaodian", "yingze"]})
            self.post(f"{edit}/documents", "upload a proof", {"kind": "hukou_booklet"},
                      files={"file": ("户口簿.pdf", PDF, "application/pdf")})
            page = self.client.get(f"{edit}/check", name="check page").text
            token = re.search(r'name="token" type="hidden" value="([^"]+)"', page)
            if not token:
                return
            with self.client.post(f"{edit}/submit", name="submit", data={"token": token.group(1)},
                                  allow_redirects=False, catch_response=True) as response:
                expect(response, response.status_code == 302
                       and response.headers.get("Location", "").endswith("/confirmation"), "submit")

    def on_request(request_type, name, response_time, response_length, exception=None, **kwargs):
        if recording["on"] and name != "sign in":
            records.append((name, response_time, exception is None))

    if phase == "ceiling":
        classes = [Hello]
        for cls, count in ((Hello, users),):
            cls.fixed_count = count
    elif phase == "status page":
        classes = [StatusReader]
        StatusReader.fixed_count = users
    else:
        readers, inbox = int(users * 0.6), int(users * 0.2)
        StatusReader.fixed_count, InboxReader.fixed_count = readers, inbox
        Submitter.fixed_count = users - readers - inbox
        classes = [StatusReader, InboxReader, Submitter]
    environment = Environment(user_classes=classes, host=base, catch_exceptions=True)
    environment.events.request.add_listener(on_request)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(3)  # sign-ins and warm-up, not timed
    processes = [psutil.Process(pid) for pid in server_pids]
    cpu_before = sum(sum(p.cpu_times()[:2]) for p in processes)
    recording["on"] = True
    started = time.monotonic()
    gevent.sleep(duration)
    recording["on"] = False
    elapsed = time.monotonic() - started
    cpu = sum(sum(p.cpu_times()[:2]) for p in processes) - cpu_before
    window = list(records)
    runner.quit()
    runner.greenlet.join(timeout=30)
    names = sorted({name for name, _ms, _ok in window}, key=lambda n: -sum(1 for r in window if r[0] == n))
    rows = {}
    for name in names:
        times = sorted(ms for page, ms, ok in window if page == name)
        rows[name] = {"requests": len(times), "per_second": len(times) / elapsed,
                      "p50": statistics.median(times), "p95": _percentile(times, 95), "p99": _percentile(times, 99),
                      "errors": sum(1 for page, _ms, ok in window if page == name and not ok)}
    successes = rows.get("submit", {}).get("requests", 0) - rows.get("submit", {}).get("errors", 0)
    return {"phase": phase, "users": users, "seconds": elapsed, "rows": rows, "cpu": cpu / elapsed,
            "accounts": list(counters["accounts"]), "submitted": successes,
            "sign_in_failures": counters["failed"]}


def report(result: dict, ceiling: float | None) -> None:
    print(f"\n{result['phase']}: {result['users']} users, {result['seconds']:.1f} s, server CPU "
          f"{100 * result['cpu']:.0f}% of one core" + (f", {result['sign_in_failures']} sign-ins failed"
                                                      if result["sign_in_failures"] else ""), flush=True)
    print(f"  {'request':22s} {'count':>7s} {'req/s':>7s} {'p50':>8s} {'p95':>8s} {'p99':>8s} {'errors':>6s}"
          + ("  of ceiling" if ceiling else ""))
    for name, row in result["rows"].items():
        ratio = f"  {100 * row['per_second'] / ceiling:5.1f}%" if ceiling and name in ("status page",) else ""
        print(f"  {name:22s} {row['requests']:7d} {row['per_second']:7.1f} {row['p50']:5.0f} ms {row['p95']:5.0f} ms "
              f"{row['p99']:5.0f} ms {row['errors']:6d}{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=False, help="folder of the SQLite database (kept, reused)")
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--database-url", help="run on this PostgreSQL database instead of SQLite")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=5091)
    parser.add_argument("--phases", default="ceiling,status page,mixed")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--check", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        return setup(args.households)
    if args.check:
        return check(args.check)
    if args.users > 200 or args.duration > 120:
        raise SystemExit("keep it short: at most 200 users and 120 s per phase")
    instance = Path(args.instance or "/tmp/hs_bench_load")
    instance.mkdir(parents=True, exist_ok=True)
    env = _environment(instance, args.database_url)
    setup_data = _child(["--setup", "--households", str(args.households)], env)
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{database}, {args.households} households; gunicorn {args.workers} workers × {args.threads} threads; "
          f"{args.users} users, {args.duration:.0f} s per phase; 127.0.0.1 only", flush=True)
    phases = [p.strip() for p in args.phases.split(",")]
    ceiling = None
    results = []
    log = instance / "bench_load_server.log"
    if "ceiling" in phases:
        server = Server("hello_app:app", args.port, env, args.workers, args.threads, log)
        try:
            server.wait("/")
            result = drive(server.base, "ceiling", setup_data, args.users, args.duration, server.pids())
        finally:
            server.stop()
        ceiling = result["rows"]["hello"]["per_second"]
        report(result, None)
    server = Server("housing_security:create_app()", args.port + 1, env, args.workers, args.threads, log,
                    consumer=True)
    try:
        server.wait("/login")
        for phase in phases:
            if phase == "ceiling":
                continue
            result = drive(server.base, phase, setup_data, args.users, args.duration, server.pids())
            results.append(result)
            report(result, ceiling)
    finally:
        server.stop()
    accounts = [name for r in results for name in r["accounts"]]
    if accounts:
        names_file = instance / "bench_load_accounts.json"
        names_file.write_text(json.dumps(accounts))
        found = _child(["--check", str(names_file)], env)
        submitted = sum(r["submitted"] for r in results)
        seconds = sum(r["seconds"] for r in results if r["accounts"])
        print(f"\nsubmissions: {submitted} successful ({submitted / seconds:.1f}/s); database: {found['submitted']} "
              f"submitted applications of {found['accounts']} new accounts, {found['distinct_references']} distinct "
              f"references, {found['users_with_two']} accounts with two — "
              + ("OK: rows = successful submissions, no duplicates"
                 if found["submitted"] == submitted == found["distinct_references"] and not found["users_with_two"]
                 else "MISMATCH"), flush=True)
    errors_logged = log.read_text(errors="replace").count("Traceback") if log.exists() else 0
    print(f"server log: {errors_logged} tracebacks")


if __name__ == "__main__":
    main()
