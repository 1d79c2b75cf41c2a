"""Runs a round's solve ("run") or its publication ("publish") outside the request: one thread per job, with
its own app context and session; one job at a time per round.

Progress lives in an in-memory registry keyed by round id (one process; a restart forgets runs in flight, and
the round row stays `draft`, or `solved` for a publication, so the officer simply starts it again). The worker
reads while solving and writes only in `run_round`'s single final commit, so SQLite holds no write lock during the
solve; a publication is `publish_round`'s one all-or-nothing transaction. A finished publication leaves its
counts (offers, subsidies, reply deadline) in the registry for the round page.
With `app.config["TESTING"]` (unless `ROUNDS_ASYNC` is set) the run happens synchronously, for deterministic tests.
"""
from __future__ import annotations

import threading
import time
from typing import Optional

from flask import Flask

from ..extensions import db

# stage → (percent at start, percent at end); stages come from allocation.compare and services.rounds.run_round
STAGES = {
    "instance": (0, 10), "classes": (10, 15), "due/housed/seniority": (15, 45), "preference/fit": (45, 60),
    "fifo": (60, 75), "explain": (75, 95), "save": (95, 100),
}
# the stages of services.round_publishing.publish_round ("save" is shared)
PUBLISH_STAGES = {
    "publish_check": (0, 5), "publish_offers": (5, 75), "publish_subsidies": (75, 90), "publish_explain": (90, 95),
    "save": (95, 100),
}
KINDS = ("run", "publish")

_lock = threading.Lock()
_runs: dict[int, dict] = {}


def progress_of(round_id: int) -> Optional[dict]:
    with _lock:
        state = _runs.get(round_id)
        return dict(state) if state else None


def is_running(round_id: int) -> bool:
    state = progress_of(round_id)
    return bool(state and state["state"] == "running")


def _update(round_id: int, **fields) -> None:
    with _lock:
        _runs.setdefault(round_id, {}).update(fields)


def reporter(round_id: int, kind: str = "run"):
    """A `progress(stage, done, total)` callback writing a monotonic percentage into the registry."""
    stages = PUBLISH_STAGES if kind == "publish" else STAGES

    def progress(stage: str, done: int, total: int) -> None:
        low, high = stages.get(stage, (None, None))
        with _lock:
            state = _runs.setdefault(round_id, {"percent": 0})
            if low is not None:
                share = (done / total) if total else 1.0
                state["percent"] = max(state.get("percent", 0), int(low + (high - low) * share))
            state["stage"] = stage
            state["updated"] = time.time()

    return progress


def _work(app: Flask, round_id: int, actor_id: Optional[int], kind: str = "run") -> None:
    from ..models import User
    from .round_publishing import publish_round
    from .rounds import run_round

    with app.app_context():
        try:
            actor = db.session.get(User, actor_id) if actor_id else None
            if kind == "publish":
                done = publish_round(round_id, actor, progress=reporter(round_id, kind))
                outcome = {"offers": done["offers"], "subsidies": done["subsidies"],
                           "respond_by": done["respond_by"].isoformat()}
            else:
                run_round(round_id, progress=reporter(round_id, kind), actor=actor)
                outcome = None
            _update(round_id, state="done", percent=100, stage="done", finished=time.time(), result=outcome)
        except Exception as error:  # reported to the officer on the round page; the round stays as it was
            app.logger.exception("round %s: %s failed", round_id, kind)
            _update(round_id, state="error", error=getattr(error, "code", None) or type(error).__name__,
                    finished=time.time())
        finally:
            db.session.remove()


def start(app: Flask, round_id: int, actor_id: Optional[int] = None, kind: str = "run") -> bool:
    """Start a job ("run" solves, "publish" publishes) unless one is in flight for this round; False when one
    already is."""
    if kind not in KINDS:
        raise ValueError(f"unknown round job {kind!r}")
    with _lock:
        current = _runs.get(round_id)
        if current and current.get("state") == "running":
            return False
        _runs[round_id] = {"state": "running", "kind": kind, "percent": 0, "stage": "queued",
                           "started": time.time()}
    if app.config.get("TESTING") and not app.config.get("ROUNDS_ASYNC"):
        _work(app, round_id, actor_id, kind)
        return True
    thread = threading.Thread(target=_work, args=(app, round_id, actor_id, kind), name=f"round-{kind}-{round_id}",
                              daemon=True)
    thread.start()
    return True


def forget(round_id: int) -> None:
    with _lock:
        _runs.pop(round_id, None)
