"""Statistics on columns that go together, for PostgreSQL's planner (no schema change; nothing on SQLite).

A professional's team memberships are all for the structures they belong to, and a référent is référent for their
own structure: the planner, taking ``user_id = …`` and ``structure_id = …`` as independent, expected one team
membership where a référent has hundreds, and chose to read and hash all of them to check one person's carnet
(4 ms of the 4.5 ms of the query reading a carnet's person at 150,000 people, 0.4 ms with these statistics)."""

from django.db import migrations

STATISTICS = {
    "pathway_teammember_user_structure": ("pathway_teammember", "user_id, structure_id"),
    "pathway_pathway_referent_structure": ("pathway_pathway", "referent_id, referent_structure_id"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, columns) in STATISTICS.items():
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {name} (dependencies, ndistinct) ON {columns} FROM {table}"
        )
    for table in {table for table, _ in STATISTICS.values()}:
        schema_editor.execute(f"ANALYZE {table}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in STATISTICS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("pathway", "0015_alert_indexes_without_redundancy")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
