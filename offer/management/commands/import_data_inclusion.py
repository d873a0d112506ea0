from django.core.management.base import BaseCommand, CommandError

from offer import exchange


class Command(BaseCommand):
    help = (
        "Importe des structures et des services au format data·inclusion (schéma v1) : un fichier JSON, ou un "
        "dossier avec structures.json et services.json. Mise à jour par source et identifiant : relancer le même "
        "import ne change rien. Les enregistrements invalides sont signalés avec leur motif et ignorés ; un JSON "
        "illisible arrête tout, sans rien importer."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FICHIER_OU_DOSSIER")
        # Not ``required``: its absence is told in French by the import, not in argparse's English.
        parser.add_argument("--source", default="", help="nom du catalogue importé, par exemple data-inclusion")
        parser.add_argument("--dry-run", action="store_true", help="tout vérifier sans rien enregistrer")

    def handle(self, *args, **options):
        try:
            report = exchange.import_catalogue(options["path"], source=options["source"], dry_run=options["dry_run"])
        except exchange.ImportRefused as error:
            raise CommandError(f"{error} Rien n'a été importé.") from error
        if options["dry_run"]:
            self.stdout.write("Vérification seule (--dry-run) : rien n'a été enregistré.")
        for line in report.lines():
            self.stdout.write(line)
        if report.refused:
            raise CommandError(f"{len(report.refused)} enregistrement(s) refusé(s) : les autres sont importés.")
