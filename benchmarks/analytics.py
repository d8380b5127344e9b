"""Time every analytics dashboard at programme scale, on SQLite and on PostgreSQL.

For each database and size it builds a fresh database (schema from the migrations when they
match the models, otherwise from the models, and says which), loads the synthetic programme
of ``flask demo --scale N`` (``learning.scale``), runs ANALYZE (VACUUM ANALYZE on PostgreSQL,
as its autovacuum and SQLite's ``PRAGMA optimize`` would), then for every entry of
``learning.analytics.framework.DASHBOARDS``:

- renders ``/analytics/<slug>`` as an administrator through the Flask test client, and
- calls the bare ``dashboard.build(admin, Filters())``,

once to warm up and ``--repeat`` times measured, and prints the medians. The issue's target:
at 100,000 participants every page under 500 ms (median) on both databases, and less than
3x the time at 10,000. ``--explain`` also prints the slowest statements of each dashboard
with the database's query plan. The PostgreSQL database is created on the server of
``--postgresql`` and dropped afterwards.

Pages are timed with the production dashboard cache (``--cache-seconds``, the warm-up
fills it); the cold figures are ``build()`` alone, never cached. ``--keep DIR`` keeps the
databases (SQLite files in DIR, PostgreSQL databases ``tandem_bench_<size>``) and reuses
them on the next run, adding any index the models gained: generating 100,000 participants
takes minutes, so iterate on queries with ``--keep``.

    .venv/bin/python benchmarks/analytics.py [--sizes 10000,100000]
        [--databases sqlite,postgresql] [--repeat 7] [--explain] [--keep DIR]
        [--dashboards precourse,knowledge] [--generate-only] [--cache-seconds 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command as alembic_command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url

from learning import create_app, scale
from learning.accounts.models import Role, User
from learning.config import TestConfig
from learning.courses.catalogue import get_catalogue
from learning.db import Base, db, make_engine
from learning.migrations import alembic_config
from learning.models import import_all_models

PAGE_TARGET_MS = 500
GROWTH_TARGET = 3.0


@dataclass
class Timing:
    page_ms: float | None
    build_ms: float | None
    status: int
    page_cpu_ms: float | None = None  # this process's CPU time: steadier on a busy machine
    build_cpu_ms: float | None = None


@contextmanager
def fresh_database(kind: str, size: int, folder: Path, server: str,
                   keep: bool = False) -> Iterator[str]:
    """A database for one run; with ``keep`` it is named after the size only and survives the
    run, so the next run with ``--keep`` reuses its data (generating 100,000 takes minutes)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'analytics-{size}.db'}"
        return
    name = f"tandem_bench_{size}" if keep else f"tandem_bench_{size}_{os.getpid()}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first()
        if not (keep and exists):
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        db.dispose()
        if not keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def kept_admin_id(url: str) -> int | None:
    """The benchmark administrator of a kept database whose data is complete, if any."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if "users" not in inspect(connection).get_table_names():
                return None
            return connection.execute(
                text("SELECT id FROM users WHERE email = 'bench-admin@example.org'")).scalar()
    finally:
        engine.dispose()


def add_missing_indexes(url: str) -> list[str]:
    """Create the models' indexes a kept database lacks (the models gained some since)."""
    engine = make_engine(url)
    created = []
    try:
        with engine.begin() as connection:
            present = {table: {index["name"] for index in inspect(connection).get_indexes(table)}
                       for table in inspect(connection).get_table_names()}
            for table in Base.metadata.sorted_tables:
                for index in table.indexes:
                    if index.name not in present.get(table.name, set()):
                        index.create(connection)
                        created.append(str(index.name))
    finally:
        engine.dispose()
    if created:
        refresh_statistics(url)
    return created


def refresh_statistics(url: str) -> None:
    """What the database's own housekeeping does after a bulk load: ANALYZE on SQLite
    (``PRAGMA optimize``); VACUUM ANALYZE on PostgreSQL (autovacuum also vacuums tables
    after many inserts, which lets index-only scans skip the table)."""
    engine = make_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql"
                                    else "ANALYZE"))
    finally:
        engine.dispose()


def build_schema(url: str) -> str:
    """``flask db upgrade`` when the migrations build the models' schema; else the models."""
    alembic_command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    if not differences:
        engine.dispose()
        return "migrations (flask db upgrade)"
    # The migrations lag behind the models (the lead writes them at integration): start
    # again from the models, so the benchmark measures the schema the code expects.
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        Base.metadata.create_all(connection)
    engine.dispose()
    return (f"models (create_all): the migrations differ from the models in "
            f"{len(differences)} place(s), e.g. {str(differences[0])[:90]}")


def median_ms(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall-clock and median CPU time of this process (SQLite runs in it; a
    PostgreSQL server's work shows in the wall-clock time only), in milliseconds."""
    action()  # warm-up: caches, compiled statements, the database's own caches
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return 1000 * statistics.median(walls), 1000 * statistics.median(cpus)


class StatementLog:
    """The statements one piece of code runs, with their durations (for --explain)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[tuple[float, str, Any]] = []

    def __enter__(self) -> StatementLog:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any,
                _many: bool) -> None:
        context._bench_started = time.perf_counter()

    def _after(self, _conn: Any, _cursor: Any, statement: str, params: Any, context: Any,
               _many: bool) -> None:
        self.statements.append(
            (time.perf_counter() - context._bench_started, statement, params))


def explain(app: Flask, slug: str, admin_id: int) -> None:
    from learning.analytics.framework import DASHBOARDS, Filters

    engine = db.engine
    assert engine is not None
    with app.test_request_context(f"/analytics/{slug}"):
        admin = db.session.get(User, admin_id)
        with StatementLog(engine) as log:
            DASHBOARDS[slug].build(admin, Filters())  # type: ignore[arg-type]
        slowest = sorted(log.statements, key=lambda item: -item[0])[:3]
        for seconds, statement, params in slowest:
            print(f"    {1000 * seconds:8.1f} ms  {' '.join(statement.split())[:300]}")
            prefix = ("EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite"
                      else "EXPLAIN (ANALYZE, COSTS OFF) ")
            with engine.connect() as connection:
                plan = connection.exec_driver_sql(prefix + statement, params).all()
            for row in plan:
                print(f"              {row[-1]}")


def measure(kind: str, size: int, repeat: int, folder: Path, server: str, seed: int,
            show_plans: bool, keep: bool = False, only: set[str] | None = None,
            generate_only: bool = False, cache_seconds: int = 300) -> dict[str, Timing]:
    results: dict[str, Timing] = {}
    with fresh_database(kind, size, folder, server, keep) as url:
        reused = kept_admin_id(url) if keep else None
        if reused is None:
            how = build_schema(url)
        else:
            added = add_missing_indexes(url)
            how = f"the kept database (indexes added: {', '.join(added) or 'none'})"
        app = create_app(TestConfig(instance_path=folder, database_url=url))
        # TestConfig turns the dashboards' cache off (tests compare figures with fresh rows);
        # the pages are timed as served, with the production cache.
        app.config["ANALYTICS_CACHE_SECONDS"] = cache_seconds
        from learning.analytics.framework import DASHBOARDS, Filters

        with app.app_context():
            if reused is None:
                started = time.perf_counter()
                counts = scale.generate(db.session, get_catalogue(), size, seed=seed)
                db.session.commit()
                generated = time.perf_counter() - started
                refresh_statistics(url)
                created = User(email="bench-admin@example.org", name="Benchmark admin",
                               role=Role.ADMIN)
                db.session.add(created)
                db.session.commit()
                admin_id = created.id
                print(f"[{kind} {size:,}] generated {sum(counts.values()):,} rows in "
                      f"{generated:.1f} s", flush=True)
            else:
                admin_id = reused
            admin = db.session.get(User, admin_id)
            assert admin is not None
            admin_session = admin.get_id()
        print(f"[{kind} {size:,}] schema from {how}", flush=True)
        if generate_only:
            db.dispose()
            return results
        client = app.test_client()
        with client.session_transaction() as session:
            now = int(time.time())
            session.update({"_user_id": admin_session, "_fresh": True, "started": now,
                            "seen": now})
        for slug, dashboard in sorted(DASHBOARDS.items(), key=lambda item: item[1].order):
            if only and slug not in only:
                continue
            statuses: list[int] = []

            def page(slug: str = slug, statuses: list[int] = statuses) -> None:
                statuses.append(client.get(f"/analytics/{slug}").status_code)

            page_ms, page_cpu_ms = median_ms(page, repeat)
            status = statuses[-1]
            with app.test_request_context(f"/analytics/{slug}"):
                viewer = db.session.get(User, admin_id)
                assert viewer is not None
                build_ms, build_cpu_ms = median_ms(
                    lambda: dashboard.build(viewer, Filters()), repeat)  # noqa: B023
                db.session.rollback()
            results[slug] = Timing(page_ms if status == 200 else None, build_ms, status,
                                   page_cpu_ms, build_cpu_ms)
            print(f"[{kind} {size:,}] {slug:<12} page {page_ms:8.1f} ms (HTTP {status}, "
                  f"CPU {page_cpu_ms:.1f} ms)  cold build {build_ms:8.1f} ms "
                  f"(CPU {build_cpu_ms:.1f} ms)", flush=True)
            if show_plans:
                explain(app, slug, admin_id)
        db.dispose()
    return results


def verdict(small: Timing | None, large: Timing | None) -> tuple[str, str]:
    if large is None or large.page_ms is None:
        return "-", "no page"
    ratio = (large.page_ms / small.page_ms
             if small is not None and small.page_ms else None)
    fast = large.page_ms < PAGE_TARGET_MS
    flat = ratio is None if small is None else ratio is not None and ratio < GROWTH_TARGET
    label = "PASS" if fast and flat else "FAIL"
    return (f"{ratio:.2f}x" if ratio is not None else "-"), label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000",
                        help="participants, comma-separated (default 10000,100000)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=7, help="measured runs (after 1 warm-up)")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--postgresql", default="postgresql+psycopg://postgres@127.0.0.1:5432",
                        help="server URL without a database name")
    parser.add_argument("--explain", action="store_true",
                        help="print the slowest statements of each dashboard with their plans")
    parser.add_argument("--keep", metavar="DIR", type=Path, default=None,
                        help="keep the databases (SQLite files in DIR, PostgreSQL databases "
                             "tandem_bench_<size>) and reuse them when they hold data")
    parser.add_argument("--dashboards", default="",
                        help="only these slugs, comma-separated (default: all)")
    parser.add_argument("--generate-only", action="store_true",
                        help="build the databases (with --keep) and time nothing")
    parser.add_argument("--cache-seconds", type=int, default=300,
                        help="ANALYTICS_CACHE_SECONDS for the pages (default 300, as in "
                             "production; 0 times uncached pages)")
    args = parser.parse_args()
    only = {slug.strip() for slug in args.dashboards.split(",") if slug.strip()} or None
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size]
    kinds = [kind.strip() for kind in args.databases.split(",") if kind.strip()]
    import_all_models()
    make_url(args.postgresql)  # fail early on a malformed server URL
    table: dict[tuple[str, int], dict[str, Timing]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for kind in kinds:
            for size in sizes:
                table[(kind, size)] = measure(kind, size, args.repeat, folder,
                                              args.postgresql, args.seed, args.explain,
                                              args.keep is not None, only, args.generate_only,
                                              args.cache_seconds)
    if args.generate_only:
        return
    small, large = min(sizes), max(sizes)
    print(f"\nMedian of {args.repeat} runs after 1 warm-up, in ms. page = GET /analytics/<slug> "
          f"as admin (the warm-up fills the page cache, if any); cold = dashboard.build() "
          f"alone, never cached; CPU = this process's CPU time (SQLite runs in it, a "
          f"PostgreSQL server does not).")

    def cell(timing: Timing | None, value: str) -> str:
        found = getattr(timing, value) if timing is not None else None
        return f"{found:9.0f}" if found is not None else f"{'-':>9}"

    def growth(value: str, kind: str, slug: str) -> str:
        first = getattr(table[(kind, small)].get(slug), value, None)
        last = getattr(table[(kind, large)].get(slug), value, None)
        return f"{last / first:6.2f}x" if first and last and small != large else f"{'-':>7}"

    header = (f"{'database':<11} {'dashboard':<11}"
              + "".join(f"{'page ' + format(size, ','):>13}" for size in sizes) + "  growth"
              + "".join(f"{'cold ' + format(size, ','):>13}" for size in sizes) + "  growth"
              + "".join(f"{'cold CPU ' + format(size, ','):>17}" for size in sizes)
              + f"  page verdict (<{PAGE_TARGET_MS} ms, <{GROWTH_TARGET:g}x)")
    print(header)
    print("-" * len(header))
    failures = 0
    for kind in kinds:
        slugs = sorted({slug for size in sizes for slug in table[(kind, size)]})
        if not slugs:
            print(f"{kind:<11} (no dashboard registered)")
        for slug in slugs:
            cells = [table[(kind, size)].get(slug) for size in sizes]
            pages = "".join(f"{cell(timing, 'page_ms'):>13}" if timing is None or
                            timing.page_ms is not None else f"{'HTTP ' + str(timing.status):>13}"
                            for timing in cells)
            colds = "".join(f"{cell(timing, 'build_ms'):>13}" for timing in cells)
            cpus = "".join(f"{cell(timing, 'build_cpu_ms'):>17}" for timing in cells)
            # With one size there is no growth to judge: only the 500 ms target counts.
            _ratio, label = verdict(table[(kind, small)].get(slug) if small != large else None,
                                    table[(kind, large)].get(slug))
            failures += label != "PASS"
            print(f"{kind:<11} {slug:<11}{pages} {growth('page_ms', kind, slug)}{colds} "
                  f"{growth('build_ms', kind, slug)}{cpus}  {label}")
            large_timing = table[(kind, large)].get(slug)
            if large_timing is not None and large_timing.page_ms is not None:
                print(f"  {label} {kind} {slug}: page {large_timing.page_ms:.0f} ms at "
                      f"{large:,} (< {PAGE_TARGET_MS} ms: "
                      f"{'yes' if large_timing.page_ms < PAGE_TARGET_MS else 'no'}), growth "
                      f"{growth('page_ms', kind, slug).strip()} (< {GROWTH_TARGET:g}x); "
                      f"cold build {large_timing.build_ms or 0:.0f} ms, growth "
                      f"{growth('build_ms', kind, slug).strip()}")
    print(f"\n{'All dashboard pages meet the target.' if not failures else f'{failures} FAIL.'}")

if __name__ == "__main__":
    main()
