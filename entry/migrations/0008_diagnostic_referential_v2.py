"""The shipped version 2 of the diagnostic referential (obligation d'emploi, qualifying training without a diploma,
recent activity over 24 months) becomes the next version of a database that already has some.

A database without any version starts from the latest shipped file on first use (entry.referential_store). The
situations of the latest stored version are kept: coordinators may have edited them, and version 2 does not change
the barriers.
"""

import json
from pathlib import Path

from django.db import migrations

SHIPPED = Path(__file__).resolve().parent.parent / "referential" / "diagnostic-v2.json"
NOTE = "version livrée 2 : obligation d'emploi, formation qualifiante sans diplôme, activité sur 24 mois"


def publish_shipped_version_2(apps, schema_editor):
    DiagnosticReferential = apps.get_model("entry", "DiagnosticReferential")
    latest = DiagnosticReferential.objects.order_by("-version").first()
    if latest is None or latest.note == NOTE:
        return
    content = json.loads(SHIPPED.read_text(encoding="utf-8"))
    version = latest.version + 1
    content = {**content, "version": version, "barriers": latest.content["barriers"]}
    DiagnosticReferential.objects.create(version=version, content=content, note=NOTE)


class Migration(migrations.Migration):
    dependencies = [("entry", "0007_diagnostic_draft")]

    operations = [migrations.RunPython(publish_shipped_version_2, migrations.RunPython.noop)]
