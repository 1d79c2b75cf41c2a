"""The boundary every write crosses: one unit of work per use case, one error shape.

A use case (a service function that changes state) runs inside `unit_of_work()`: the transaction begins (with
SQLite's write lock taken at BEGIN, see extensions.py), the work and its audit rows are written, and it commits
once at the end — or, on any exception, rolls back so that nothing is half-written. Use cases may call each other:
only the outermost unit of work commits. Views never commit or roll back; they call a use case and turn a
`UseCaseError` into a field error or a flash in the reader's language (web/use_case_errors.py).

Services return codes and parameters, never translated text, and never read `flask.request`: the same use case
serves the web, the CLI, the job queue and the JSON API.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from ..extensions import db

P = ParamSpec("P")
R = TypeVar("R")

_DEPTH_KEY = "use_case_depth"

# Where the current action comes from (the client's address for a web request, None for the CLI and jobs): set
# by the web layer before each request, read by the audit so that services never read `flask.request`.
ORIGIN: ContextVar[str | None] = ContextVar("origin", default=None)


class UseCaseError(ValueError):
    """A refusal: `code` names the rule that refused (a stable identifier, listed with its text in
    web/use_case_errors.py), `field` the form field it concerns (None: the whole action), `params` the values the
    message shows (a limit, a date, a name)."""

    def __init__(self, code: str, field: str | None = None, **params: Any) -> None:
        super().__init__(f"{field}: {code}" if field else code)
        self.code = code
        self.field = field
        self.params = params


@contextmanager
def unit_of_work() -> Iterator[Any]:
    """Commit once when the outermost block ends; roll back everything on any exception."""
    session = db.session()
    depth = session.info.get(_DEPTH_KEY, 0)
    session.info[_DEPTH_KEY] = depth + 1
    try:
        yield session
    except BaseException:
        session.info[_DEPTH_KEY] = depth
        if depth == 0:
            session.rollback()
        raise
    session.info[_DEPTH_KEY] = depth
    if depth == 0:
        session.commit()


def use_case(function: Callable[P, R]) -> Callable[P, R]:
    """Run the decorated service function as one unit of work."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return function(*args, **kwargs)

    return run


def in_unit_of_work() -> bool:
    return bool(db.session().info.get(_DEPTH_KEY, 0))
