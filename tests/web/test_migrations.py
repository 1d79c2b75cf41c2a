"""The migrations build exactly the schema the models describe (a model change without a migration fails)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from housing_security.extensions import db


def test_migrated_schema_matches_the_models(app):
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
    assert differences == []
