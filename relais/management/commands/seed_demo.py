from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, seed_consortium
from audit.context import acting_as
from entry.demo import seed_people
from offer.demo import seed_offer


class Command(BaseCommand):
    help = "Charge le consortium de démonstration (Essonne) et affiche les identifiants. Idempotent."

    def handle(self, *args, **options):
        if not settings.RELAIS_DEMO:
            raise CommandError("Les données de démonstration sont désactivées (RELAIS_DEMO) : jamais en production.")
        if settings.RELAIS_DEPARTEMENT != "91":
            raise CommandError("Le consortium de démonstration est en Essonne : RELAIS_DEPARTEMENT doit valoir 91.")
        call_command("load_territory", departements=["91"], stdout=self.stdout)
        with acting_as(None, None):
            logins = seed_consortium()
            people = seed_people()
            services, referrals = seed_offer()
        self.stdout.write(
            self.style.SUCCESS(
                f"Consortium de démonstration prêt : {people} personnes accompagnées, {services} services, "
                f"{referrals} orientations vers des services."
            )
        )
        self.stdout.write("")
        self.stdout.write(f"Identifiants de démonstration (mot de passe commun : {DEMO_PASSWORD})")
        width = max(len(email) for email, _, _ in logins)
        for email, structure, job in logins:
            self.stdout.write(f"  {email.ljust(width)}  {job} – {structure}")
