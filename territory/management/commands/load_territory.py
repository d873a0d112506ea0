from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from territory.loading import load_departement


class Command(BaseCommand):
    help = "Charge les communes, EPCI et EPT d'un ou plusieurs départements depuis les fichiers livrés (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--departement",
            action="append",
            dest="departements",
            help="Code INSEE du département (répétable). Par défaut : celui du déploiement.",
        )

    def handle(self, *args, departements=None, **options):
        for code in departements or [settings.RELAIS_DEPARTEMENT]:
            try:
                counts = load_departement(code)
            except ValueError as error:
                raise CommandError(str(error)) from error
            if options["verbosity"] == 0:
                continue
            summary = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Département {code} : {summary}."))
