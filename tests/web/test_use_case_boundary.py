"""The use-case boundary holds: views never commit or roll back, every refusal code has a text, no import cycle.

Like the access matrix fails on a route without a rule, these tests fail on a view that writes for itself. The
allow-lists below name the modules not yet moved behind use cases; they only shrink.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from housing_security.services.use_case import UseCaseError, unit_of_work
from housing_security.web import use_case_errors

PACKAGE = Path(__file__).resolve().parents[2] / "housing_security"
WEB = PACKAGE / "web"
TRANSACTION_CALL = re.compile(r"\.(commit|rollback)\(\)")

# Views that still end transactions themselves (to be moved into services; remove a name once it is clean).
NOT_YET_BEHIND_USE_CASES = {
    "admin.py", "admin_api.py", "admin_parameters.py", "api.py", "appeals.py", "applicant.py",
    "application_submission.py", "application_views.py", "auth.py", "case_actions.py", "cases.py", "errors.py",
    "idempotency.py", "intake.py", "lab.py", "lottery.py", "main.py", "publicity.py", "registry.py", "rent.py",
    "reports.py", "rounds.py", "stock.py", "subsidies.py", "tenancies.py",
}
KNOWN_IMPORT_CYCLES = {("housing_security.web.case_actions", "housing_security.web.cases")}


def _transaction_calls() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for path in sorted(WEB.rglob("*.py")):
        lines = [number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if TRANSACTION_CALL.search(line.split("#", 1)[0])]
        if lines:
            found[str(path.relative_to(WEB))] = lines
    return found


def test_no_view_commits_or_rolls_back_outside_the_allow_list():
    offenders = {name: lines for name, lines in _transaction_calls().items()
                 if name not in NOT_YET_BEHIND_USE_CASES}
    assert offenders == {}, f"views end transactions themselves (call a use case instead): {offenders}"


def test_the_allow_list_only_names_modules_that_still_need_it():
    clean = NOT_YET_BEHIND_USE_CASES - set(_transaction_calls())
    assert clean == set(), f"these views no longer commit: take them off the allow-list: {sorted(clean)}"


def _import_graph() -> dict[str, set[str]]:
    modules: dict[str, Path] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        # Module-level imports only: an import inside a function runs after both modules have loaded.
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                candidates = [target, *(f"{target}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            graph[name].update(c for c in candidates if c in modules and c != name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(tuple(sorted(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [("a", "b", "c")]


def test_no_new_import_cycle():
    assert set(_cycles(_import_graph())) <= KNOWN_IMPORT_CYCLES


def test_an_outer_unit_of_work_commits_once_and_an_error_rolls_everything_back(app):
    from housing_security.extensions import db
    from housing_security.models import Jurisdiction

    def street() -> Jurisdiction:
        return Jurisdiction(kind="street", code="boundary-test", name_zh="边界测试街道", name_en="Boundary test")

    with app.app_context():
        before = db.session.query(Jurisdiction).count()
        with pytest.raises(UseCaseError), unit_of_work():
            with unit_of_work():
                db.session.add(street())
            # the inner block ended without committing: a failure after it still undoes its row
            raise UseCaseError("stale")
        assert db.session.query(Jurisdiction).count() == before
        with unit_of_work():
            db.session.add(street())
        db.session.rollback()  # a committed row survives a later rollback
        assert db.session.query(Jurisdiction).count() == before + 1


def test_a_refusal_reads_as_text_under_its_field_or_as_a_flash(app):
    from flask import get_flashed_messages
    from flask_wtf import FlaskForm
    from wtforms import StringField

    class NameForm(FlaskForm):
        name = StringField()

    with app.test_request_context("/", headers={"Accept-Language": "zh"}):
        form = NameForm(meta={"csrf": False})
        use_case_errors.report(UseCaseError("negative", field="name"), form)
        assert form.name.errors == [str(use_case_errors.TEXTS["negative"])]
        use_case_errors.report(UseCaseError("stale", field="absent"), form)
        assert get_flashed_messages() == [str(use_case_errors.TEXTS["stale"])]
        unknown = use_case_errors.text(UseCaseError("no_such_code_anywhere"))
        assert "no_such_code_anywhere" not in unknown and unknown
