"""The database: SQLAlchemy tables, the engine, migrations and repositories returning model objects."""
