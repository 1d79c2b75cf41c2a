"""A round's publication killed with SIGKILL in the middle, in a real child process: the child is the queue's
consumer (`worker.drain()`: Huey on SQLite in the instance folder, the same path as `housing-security worker`),
it prints every progress report of the publication, and the parent kills it at the report it chose.

Used by tests/services/test_jobs.py (once) and benchmarks/bench_publish_kill.py (many times).

    python tests/services/killed_publish.py '<json: {"config": {...}, "instance": "...", "pause": 0.01}>'
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def child(arguments: dict) -> None:
    os.environ["HOUSING_INSTANCE_PATH"] = arguments["instance"]
    sys.path.insert(0, str(ROOT))
    from housing_security import create_app, worker
    from housing_security.services import jobs

    app = create_app({**arguments["config"], "JOBS_IMMEDIATE": False})
    real_call, pause = jobs.Reporter.__call__, float(arguments.get("pause", 0.01))

    def reporting(self, stage, done, total):
        real_call(self, stage, done, total)
        print(f"PROGRESS {stage} {done} {total}", flush=True)
        time.sleep(pause)  # the parent's SIGKILL lands here, inside the publication's transaction

    jobs.Reporter.__call__ = reporting
    with app.app_context():
        ran = worker.drain()
    print(f"DRAINED {ran}", flush=True)


def publish_and_kill(config: dict, instance: str, kill_at: int, pause: float = 0.01,
                     timeout: float = 120) -> dict:
    """Run the consumer in a child; SIGKILL it at its `kill_at`-th progress report (counted from 1). Returns what
    happened: {"killed": bool, "reports": n, "last": "stage done total"}."""
    payload = json.dumps({"config": config, "instance": instance, "pause": pause})
    process = subprocess.Popen([sys.executable, __file__, payload], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=str(ROOT))
    reports, last, killed = 0, "", False
    deadline = time.monotonic() + timeout
    try:
        for line in process.stdout:
            if line.startswith("PROGRESS"):
                reports += 1
                last = line.split(" ", 1)[1].strip()
                if reports >= kill_at:
                    process.send_signal(signal.SIGKILL)
                    killed = True
                    break
            if time.monotonic() > deadline:
                break
    finally:
        if process.poll() is None and not killed:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        errors = process.stderr.read() if process.stderr else ""
        process.stdout.close()
        process.stderr.close()
    return {"killed": killed, "reports": reports, "last": last, "returncode": process.returncode,
            "stderr": errors[-2000:]}


if __name__ == "__main__":
    child(json.loads(sys.argv[1]))
