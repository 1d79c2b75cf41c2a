"""A round's solve ("run") and its publication ("publish") as background jobs (services/jobs.py, kinds
"round.run" and "round.publish", subject "round:<id>"): one job at a time per round — a second start while one
is queued or running is refused, so two publications of the same round at once make one.

The job row holds the progress the round page polls, so every web worker shows it and a restart forgets nothing.
`run_round` reads, solves with no transaction open and writes in one final commit; `publish_round` is one
all-or-nothing transaction: a worker that dies in the middle leaves the round as it was, and its job reads as
failed once its heartbeat is stale.
"""
from __future__ import annotations

from typing import Optional

from ..models import Job, User
from . import jobs

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
KINDS = {"run": "round.run", "publish": "round.publish"}


@jobs.handler("round.run", STAGES)
def _run(params: dict, actor: Optional[User], progress: jobs.Progress) -> None:
    from .rounds import run_round

    run_round(int(params["round"]), progress=progress, actor=actor)
    return None


@jobs.handler("round.publish", PUBLISH_STAGES)
def _publish(params: dict, actor: Optional[User], progress: jobs.Progress) -> dict:
    from .round_publishing import publish_round

    done = publish_round(int(params["round"]), actor, progress=progress)
    return {"offers": done["offers"], "subsidies": done["subsidies"], "respond_by": done["respond_by"].isoformat()}


def subject(round_id: int) -> str:
    return f"round:{round_id}"


def start(round_id: int, actor: Optional[User] = None, kind: str = "run") -> Optional[int]:
    """Queue a run or a publication of the round: the job's id, or None when a job of the round is already queued
    or running."""
    if kind not in KINDS:
        raise ValueError(f"unknown round job {kind!r}")
    return jobs.enqueue(KINDS[kind], subject(round_id), actor=actor, round=round_id)


def latest_job(round_id: int) -> Optional[Job]:
    return jobs.latest(subject(round_id), tuple(KINDS.values()))


def progress_of(round_id: int) -> Optional[dict]:
    """The round's latest job as the round page shows it: state "running" (queued or running), "done" or "error",
    with kind ("run"/"publish"), stage, percent, the publication's counts and the error code."""
    job = latest_job(round_id)
    if job is None:
        return None
    state, error = jobs.effective_state(job)
    return {"job": job.id, "kind": job.kind.split(".", 1)[1], "state": {"queued": "running", "running": "running",
                                                                      "succeeded": "done"}.get(state, "error"),
            "queued": state == "queued", "stage": job.stage, "percent": 100 if state == "succeeded" else job.percent,
            "result": job.outcome, "error": error}


def is_running(round_id: int) -> bool:
    state = progress_of(round_id)
    return bool(state and state["state"] == "running")

