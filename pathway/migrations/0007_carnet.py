import uuid

from django.db import migrations, models


def give_public_ids(apps, schema_editor):
    TeamMember = apps.get_model("pathway", "TeamMember")
    for member in TeamMember.objects.filter(public_id__isnull=True).only("pk"):
        member.public_id = uuid.uuid4()
        member.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("pathway", "0006_merge_20261130_1355"),
    ]

    operations = [
        migrations.AddField(
            model_name="teammember",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="identifiant public"),
        ),
        migrations.RunPython(give_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="teammember",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="identifiant public"),
        ),
        migrations.AddField(
            model_name='pathway',
            name='exit_detail',
            field=models.CharField(blank=True, max_length=200, verbose_name='précision sur la sortie'),
        ),
        migrations.AddField(
            model_name='pathway',
            name='exit_reason',
            field=models.CharField(blank=True, choices=[('durable_employment', 'emploi durable'), ('training', 'formation'), ('moved_away', 'déménagement hors du département'), ('end_of_rights', 'fin de droits'), ('other', 'autre motif')], max_length=30, verbose_name='motif de sortie'),
        ),
        migrations.AddField(
            model_name='pathway',
            name='exited_on',
            field=models.DateField(blank=True, null=True, verbose_name='sorti le'),
        ),
        migrations.AddField(
            model_name='referenthistory',
            name='handover_note',
            field=models.TextField(blank=True, help_text='Ce que le référent précédent transmet au nouveau.', verbose_name='note de passation'),
        ),
        migrations.AddField(
            model_name='teammember',
            name='mission',
            field=models.CharField(blank=True, help_text='Ce que ce professionnel apporte à la personne : emploi, logement, santé, mobilité…', max_length=150, verbose_name="rôle dans l'accompagnement"),
        ),
        migrations.AddConstraint(
            model_name='pathway',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'exited'), _negated=True), models.Q(models.Q(('exit_reason', ''), _negated=True), ('exited_on__isnull', False)), _connector='OR'), name='pathway_exited_has_reason_and_date'),
        ),
    ]
