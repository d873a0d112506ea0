"""Migrate the database; a development SQLite file from an earlier, incompatible version is set aside and recreated.

Relais has no production data yet, so its migrations were once regenerated; a developer's SQLite file made before
that cannot be migrated. Rather than crash, ``make run`` says so and starts from a fresh file (the old one is kept).
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.exceptions import InconsistentMigrationHistory
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import AddConstraint, AddIndex, CreateModel
from django.utils import timezone


def history_is_consistent():
    """False when the recorded history cannot lead to this version's schema: a migration applied before its
    dependencies, or a migration still to apply that would create a table, an index or a constraint that the
    database already has."""
    executor = MigrationExecutor(connection)
    try:
        executor.loader.check_consistent_history(connection)
    except InconsistentMigrationHistory:
        return False
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return True
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        names = {name for table in tables for name in connection.introspection.get_constraints(cursor, table)}
    for migration, _backwards in plan:
        for operation in migration.operations:
            created = set()
            if isinstance(operation, CreateModel):
                if (operation.options.get("db_table") or f"{migration.app_label}_{operation.name_lower}") in tables:
                    return False
                created = {item.name for item in operation.options.get("constraints", [])}
                created |= {item.name for item in operation.options.get("indexes", [])}
            elif isinstance(operation, AddConstraint):
                created = {operation.constraint.name}
            elif isinstance(operation, AddIndex):
                created = {operation.index.name}
            if created & names:
                return False
    return True


class Command(BaseCommand):
    help = "Migre la base ; une base SQLite de développement d'une version incompatible est mise de côté et recréée."

    def handle(self, *args, **options):
        if not history_is_consistent():
            database = Path(settings.DATABASES["default"]["NAME"])
            if connection.vendor != "sqlite" or not settings.DEBUG:
                raise CommandError(
                    "L'historique des migrations de cette base ne correspond pas à cette version de Relais. "
                    "Aucune donnée n'a été modifiée : recréez la base ou restaurez la version précédente."
                )
            connection.close()
            kept = database.with_name(f"{database.stem}-ancienne-{timezone.now():%Y%m%d-%H%M%S}{database.suffix}")
            database.rename(kept)
            for suffix in ("-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            self.stdout.write(
                self.style.WARNING(
                    "La base de développement venait d'une version antérieure de Relais, dont le schéma a été "
                    f"refondu : elle est conservée sous {kept.name} et une base neuve est créée."
                )
            )
        call_command("migrate", interactive=False, verbosity=0)
