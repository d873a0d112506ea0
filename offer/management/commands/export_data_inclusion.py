from django.core.management.base import BaseCommand, CommandError

from offer import exchange


class Command(BaseCommand):
    help = (
        "Écrit structures.json et services.json au format data·inclusion (schéma v1) : les services publiés "
        "dans Relais et leurs structures, vérifiés avec les modèles du schéma."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="dossier où écrire les deux fichiers")

    def handle(self, *args, **options):
        structures, services, errors = exchange.export(options["out"])
        self.stdout.write(f"{structures} structure(s) et {services} service(s) écrits dans {options['out']}.")
        if errors:
            for error in errors:
                self.stderr.write(f"  - {error}")
            raise CommandError(f"{len(errors)} enregistrement(s) non conformes au schéma data·inclusion.")
