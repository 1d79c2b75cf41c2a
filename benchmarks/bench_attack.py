"""Attacks measured on 127.0.0.1 only, bounded: the production password hashing (PBKDF2, 600,000 rounds), CSRF on.

    .venv/bin/python benchmarks/bench_attack.py [--households 60] [--attackers 60] [--saves 30]

A fresh demo database (small) is served by werkzeug's threaded server in a child process. Then:
1. (after 2) `--attackers` concurrent wrong sign-ins (distinct usernames and one shared username) while an applicant saves
   the address section of a draft `--saves` times: the saves' median and p95 latency and the count of 503s/500s,
   and the answers of the sign-ins (200 wrong password, 429 throttled);
2. per-account lockout (run first, while the address is fresh): wrong passwords for one account one after
   another — the attempt that is first refused, and the right password during the back-off;
3. the share of responses carrying the security headers (CSP, nosniff, frame-ancestors) over every response above
   and a GET of every page route.
(0 × 500 over a fuzz of every form is tests/web/test_bad_input.py's sweep.)
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-password-2026"
PORT = 5098


def serve(instance: str, households: int) -> subprocess.Popen:
    code = f"""
import os
os.environ['HOUSING_INSTANCE_PATH'] = {instance!r}
from housing_security import create_app
from housing_security.extensions import db
from housing_security.services import demo
from flask_migrate import upgrade
app = create_app({{'SECRET_KEY': 'bench-attack', 'RATELIMIT_ENABLED': False}})
with app.app_context():
    upgrade(); demo.seed(households={households}, seed=7); db.session.remove()
from werkzeug.serving import make_server
make_server('127.0.0.1', {PORT}, app, threaded=True).serve_forever()
"""
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


BASE = f"http://127.0.0.1:{PORT}"
seen_headers = {"total": 0, "with": 0}
lock = threading.Lock()


def check_headers(response) -> None:
    h = response.headers
    ok = ("frame-ancestors 'none'" in h.get("Content-Security-Policy", "") and
          h.get("X-Content-Type-Options") == "nosniff")
    with lock:
        seen_headers["total"] += 1
        seen_headers["with"] += ok


def token(session, url) -> str:
    response = session.get(BASE + url)
    check_headers(response)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text).group(1)


def post(session, url, data):
    data = dict(data, csrf_token=token(session, url))
    response = session.post(BASE + url, data=data, allow_redirects=False)
    check_headers(response)
    return response


def wait_up(seconds=300) -> None:
    end = time.time() + seconds
    while time.time() < end:
        try:
            requests.get(BASE + "/healthz", timeout=2)
            return
        except requests.RequestException:
            time.sleep(1)
    raise SystemExit("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=60)
    parser.add_argument("--attackers", type=int, default=60)
    parser.add_argument("--saves", type=int, default=30)
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="hs-attack-")
    server = serve(instance, args.households)
    try:
        wait_up()
        applicant = requests.Session()
        assert post(applicant, "/register", {"username": "bench_saver", "display_name": "测试",
                                            "password": "a-long-password-1", "confirm": "a-long-password-1"}
                    ).status_code == 302
        html = applicant.get(BASE + "/me/apply").text
        street = re.search(r'<option value="(\d+)"', html.split('name="street_id"')[1]).group(1)
        response = post(applicant, "/me/apply", {"programme": "public_rental", "street_id": street})
        edit = re.search(r"/me/applications/\d+/edit", response.headers["Location"]).group(0)
        save_form = {"street_id": street, "address": "小店区坞城路 1 号", "phone": "13900000000"}

        def save():
            csrf = token(applicant, f"{edit}/address")
            started = time.perf_counter()
            response = applicant.post(BASE + f"{edit}/address", data=dict(save_form, csrf_token=csrf),
                                      allow_redirects=False)
            check_headers(response)
            return response.status_code, time.perf_counter() - started

        def wrong(n):
            session = requests.Session()
            username = "wangqiang" if n % 2 else f"nobody{n}"
            return post(session, "/login", {"username": username, "password": "wrong-password"}).status_code

        victim, first_refused = requests.Session(), None
        for attempt in range(1, 12):
            code = post(victim, "/login", {"username": "liuchu", "password": "wrong"}).status_code
            if code == 429:
                first_refused = attempt
                break
        right = post(requests.Session(), "/login", {"username": "liuchu", "password": PASSWORD}).status_code
        print(f"per-account lockout (fresh address): attempt {first_refused} refused (429); right password during the back-off: "
              f"{right}")

        baseline = [save() for _ in range(5)]
        with ThreadPoolExecutor(max_workers=args.attackers + 1) as pool:
            attacks = [pool.submit(wrong, n) for n in range(args.attackers)]
            time.sleep(0.2)
            saves = []
            while len(saves) < args.saves:
                saves.append(save())
            answers = [a.result() for a in attacks]
        times = sorted(t for _, t in saves)
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"save alone: median {statistics.median(t for _, t in baseline) * 1000:.0f} ms")
        print(f"{args.attackers} concurrent wrong sign-ins during {len(saves)} saves: save median "
              f"{statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
              f"saves answered {sorted(set(code for code, _ in saves))}, "
              f"503s {sum(code == 503 for code, _ in saves) + answers.count(503)}, "
              f"500s {sum(code == 500 for code, _ in saves) + answers.count(500)}")
        print("sign-in answers: " + ", ".join(f"{code}×{answers.count(code)}" for code in sorted(set(answers))))

        for path in ("/", "/login", "/register", "/publicity/", "/static/css/app.css", "/no-such-page", "/me/",
                     "/cases/", "/bureau/", "/admin/"):
            check_headers(requests.get(BASE + path, allow_redirects=False))
        share = 100 * seen_headers["with"] / seen_headers["total"]
        print(f"security headers on {seen_headers['with']}/{seen_headers['total']} responses ({share:.0f}%)")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
