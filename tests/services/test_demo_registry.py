"""The demo city's registry snapshots: one of each kind, through the real import, with deliberate mismatches
visible on cases (a tenant who bought a flat becomes an exit-trigger task)."""
from __future__ import annotations

from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import REGISTRY_KINDS, Application, RegistryCheck, RegistrySnapshot
from housing_security.services import demo_registry, registry


def test_the_demo_city_has_one_snapshot_of_each_kind_and_visible_mismatches(app):
    with app.test_request_context():
        counts = demo_registry.seed_snapshots()
        assert set(counts["snapshots"]) == set(REGISTRY_KINDS)
        for kind in REGISTRY_KINDS:
            assert registry.current_snapshot("taiyuan", kind) is not None
        mismatches = counts["mismatches"]
        for name in ("new_flat", "roster", "hukou"):
            reference = mismatches[name]
            assert reference, name
            application = db.session.scalar(select(Application).where(Application.reference == reference))
            tasks = db.session.scalars(select(RegistryCheck).where(
                RegistryCheck.application_id == application.id, RegistryCheck.blocking.is_(True),
                RegistryCheck.resolved_at.is_(None))).all()
            assert tasks, name
        tenant = db.session.scalar(select(Application).where(Application.reference == mismatches["new_flat"]))
        assert tenant.status == "housed"
        matches = db.session.scalar(select(func.count()).select_from(RegistryCheck)
                                    .where(RegistryCheck.outcome == "match"))
        assert matches > 50  # most declarations agree with the registries
        before = db.session.scalar(select(func.count()).select_from(RegistrySnapshot))
        assert demo_registry.seed_snapshots() == {}  # once only
        assert db.session.scalar(select(func.count()).select_from(RegistrySnapshot)) == before
