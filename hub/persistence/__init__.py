"""Everything the hub itself owns, stored with SQLAlchemy 2 (async): SQLite by default, PostgreSQL in production."""
