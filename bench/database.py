"""The bench database: a PostgreSQL database of its own, created and migrated when missing.

The bench never reads ``DATABASE_URL``: that variable points the developer's server and the test suite at
their own databases, and the bench writes thousands of fictitious accounts. It uses ``BENCH_DATABASE_URL``
(or ``--database-url``), by default a ``relais_bench`` database on the local server, and refuses a database
that holds accounts it did not create. A SQLite file (``sqlite:///…``) may be given too, to compare with the
default database of a development machine.
"""

import os
import sqlite3
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/relais_bench"
# Every account the generator creates has an address on this domain; nothing else may be in the database.
BENCH_DOMAIN = "bench.relais.test"


class BenchDatabaseError(Exception):
    pass


def resolve_url(url=None):
    url = url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    config = dj_database_url.parse(url)
    if config["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise BenchDatabaseError("le banc d'essai mesure sur PostgreSQL (ou SQLite) : donnez une adresse postgres://…")
    return url, config


def is_sqlite(config):
    return config["ENGINE"] == "django.db.backends.sqlite3"


def _connect(config, dbname):
    return psycopg.connect(
        dbname=dbname,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
        connect_timeout=5,
    )


def _exists(config):
    with _connect(config, "postgres") as maintenance:
        row = maintenance.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
    return row is not None


def foreign_accounts(config):
    """How many accounts of the database were not created by the bench (0 for a new database)."""
    if is_sqlite(config):
        if not Path(config["NAME"]).exists():
            return 0
        with sqlite3.connect(config["NAME"]) as connection:
            if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'accounts_user'").fetchone():
                return 0
            return connection.execute(
                "SELECT count(*) FROM accounts_user WHERE email NOT LIKE ?", [f"%@{BENCH_DOMAIN}"]
            ).fetchone()[0]
    if not _exists(config):
        return 0
    with _connect(config, config["NAME"]) as connection:
        if connection.execute("SELECT to_regclass('accounts_user')").fetchone()[0] is None:
            return 0
        return connection.execute(
            "SELECT count(*) FROM accounts_user WHERE email NOT LIKE %s", [f"%@{BENCH_DOMAIN}"]
        ).fetchone()[0]


def prepare(url=None, *, fresh=False):
    """Create the database if missing (drop it first with ``fresh``), then point Django at it. Returns its name."""
    url, config = resolve_url(url)
    try:
        _create(config, fresh=fresh)
    except psycopg.OperationalError as error:
        raise BenchDatabaseError(f"le serveur PostgreSQL ne répond pas ({error}).") from error
    configure_django(url)
    return config["NAME"]


def _create(config, *, fresh):
    name = config["NAME"]
    foreign = foreign_accounts(config)
    if foreign:
        raise BenchDatabaseError(
            f"la base « {name} » contient {foreign} compte(s) qui ne viennent pas du banc d'essai : "
            "choisissez une base dédiée avec BENCH_DATABASE_URL."
        )
    if is_sqlite(config):
        path = Path(config["NAME"])
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    with _connect(config, "postgres") as maintenance:
        if fresh:
            maintenance.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not _exists(config):
            maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def configure_django(url):
    """Development settings on the bench database, with DEBUG off as in production."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_ENV"] = "development"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relais.settings")

    import django

    django.setup()


def migrate():
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
