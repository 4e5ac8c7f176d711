"""Throwaway PostgreSQL databases for tests: one migrated template, a copy per test.

`CREATE DATABASE … TEMPLATE` copies the migrated schema (PostGIS included) in tens of
milliseconds, so every test starts from an empty database without re-running migrations.
RTCC_TEST_POSTGRES_URL names the server (default: the local one, trust auth).
"""

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from rtcc.storage.postgres.database import apply_migrations

ADMIN_URL = os.environ.get(
    "RTCC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
_counter = itertools.count()


def reachable() -> str | None:
    """None if the server answers, else why not (for the skip message)."""
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {ADMIN_URL} cannot be reached: {exc}".strip()


def url_for(name: str) -> str:
    base, _, _ = ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(ADMIN_URL, autocommit=True)


def drop(name: str) -> None:
    with _admin() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def template() -> Iterator[str]:
    """A migrated template database for this test process, dropped at the end."""
    name = f"rtcc_tpl_{os.getpid()}"
    drop(name)
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with psycopg.connect(url_for(name), autocommit=True) as conn:
            apply_migrations(conn)
        yield name
    finally:
        drop(name)


@contextmanager
def database(template_name: str) -> Iterator[str]:
    """A fresh copy of the template; yields its URL and drops it afterwards."""
    name = f"rtcc_t_{os.getpid()}_{next(_counter)}"
    with _admin() as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template_name)
            )
        )
    try:
        yield url_for(name)
    finally:
        drop(name)
