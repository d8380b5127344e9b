"""Alembic migrations, run with ``flask --app app db upgrade``."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(database_url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config
