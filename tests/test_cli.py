"""Operator commands: users, demo data, backup, migrations."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, inspect, select

from learning.accounts.models import OrganisationType, Role, User
from learning.cohorts.models import Cohort, Enrolment
from learning.db import db
from tests.conftest import sign_in


def test_users_create_reads_the_password_from_stdin(app, runner, client):
    result = runner.invoke(args=["users", "create", "--email", "Fp@Example.org", "--name",
                                 "Focal Person", "--role", "focal_point",
                                 "--focal-country", "bi", "--focal-country", "NE"],
                           input="a good long password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.role, user.focal_country_codes) == (
            "fp@example.org", Role.FOCAL_POINT, ["BI", "NE"])
    assert sign_in(client, user, "a good long password").status_code == 302
    listing = runner.invoke(args=["users", "list"])
    assert "focal_point\tfp@example.org\tFocal Person" in listing.output


@pytest.mark.parametrize("args, stdin, message", [
    (["--role", "admin"], "short\n", "10+ characters"),
    (["--role", "participant", "--country", "XX"], "long enough password\n", "Unknown country"),
    (["--role", "participant", "--cohort", "nope"], "long enough password\n", "No cohort"),
])
def test_users_create_refuses_bad_input_without_writing(app, runner, args, stdin, message):
    result = runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A",
                                 *args], input=stdin)
    assert result.exit_code != 0 and message in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_demo_data_is_labelled_realistic_and_loaded_once(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        cohorts = list(db.session.scalars(select(Cohort)))
        assert len(cohorts) == 3 and all(c.name.startswith("DEMO") for c in cohorts)
        countries = {code for cohort in cohorts for code in cohort.country_codes}
        assert len(countries) == 8
        participants = db.session.scalar(select(func.count(Enrolment.id)))
        assert 55 <= participants <= 70
        emails = list(db.session.scalars(select(User.email)))
        assert all(email.endswith("@example.org") for email in emails)
        from learning.accounts.models import Organisation
        kinds = set(db.session.scalars(select(Organisation.type)))
        assert kinds == set(OrganisationType)
        roles = set(db.session.scalars(select(User.role)))
        assert roles == {Role.PARTICIPANT, Role.FACILITATOR, Role.FOCAL_POINT, Role.COORDINATOR}
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0 and "already loaded" in again.output


def test_backup_writes_a_consistent_copy(app, runner, make_user, tmp_path):
    if app.config["DATABASE_URL"].startswith("postgresql"):
        pytest.importorskip("shutil").which("pg_dump") or pytest.skip("no pg_dump")
    make_user(Role.ADMIN, country=None)
    target = tmp_path / ("copy.db" if "sqlite" in app.config["DATABASE_URL"] else "copy.dump")
    result = runner.invoke(args=["backup", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.exists() and target.stat().st_size > 0
    if target.suffix == ".db":
        with sqlite3.connect(target) as copy:
            assert copy.execute("select count(*) from users").fetchone() == (1,)
            assert copy.execute("pragma integrity_check").fetchone() == ("ok",)


@pytest.fixture
def empty_database_url(database_url, tmp_path):  # type: ignore[no-untyped-def]
    """An empty database of the same kind as the suite's: a file, or a PostgreSQL schema."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
        connection.execute(text("CREATE SCHEMA migration_check"))
    separator = "&" if "?" in database_url else "?"
    yield f"{database_url}{separator}options=-csearch_path%3Dmigration_check"
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
    engine.dispose()


def test_migrations_build_exactly_the_models_schema(empty_database_url):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from learning.db import Base, make_engine
    from learning.migrations import alembic_config

    url = empty_database_url
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert "users" in inspect(connection).get_table_names()
    engine.dispose()
    command.downgrade(alembic_config(url), "base")
    engine = make_engine(url)
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    engine.dispose()
