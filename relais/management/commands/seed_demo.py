from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, seed_consortium
from audit.context import acting_as
from entry.demo import seed_duplicates, seed_people
from offer.demo import seed_offer
from pathway.demo import seed_contracts
from pathway.demo_appointments import seed_appointments
from pathway.demo_carnet import seed_follow_up, seed_teams
from pathway.demo_notes import seed_notes


class Command(BaseCommand):
    help = "Charge le consortium de démonstration (Essonne) et affiche les identifiants. Idempotent."

    def handle(self, *args, **options):
        if not settings.RELAIS_DEMO:
            raise CommandError("Les données de démonstration sont désactivées (RELAIS_DEMO) : jamais en production.")
        if settings.RELAIS_DEPARTEMENT != "91":
            raise CommandError("Le consortium de démonstration est en Essonne : RELAIS_DEPARTEMENT doit valoir 91.")
        call_command("load_territory", departements=["91"], stdout=self.stdout)
        # The demo's emails and SMS to fictional people and professionals are not sent, nor printed: a newcomer
        # reads the logins, not a thousand messages.
        quiet = {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
        quiet["RELAIS_SMS_BACKEND"] = "relais.sms.SilentSmsBackend"
        missing = object()
        saved = {name: getattr(settings, name, missing) for name in quiet}
        for name, value in quiet.items():
            setattr(settings, name, value)
        try:
            self._seed()
        finally:
            for name, value in saved.items():
                if value is missing:
                    delattr(settings, name)
                else:
                    setattr(settings, name, value)

    def _seed(self):
        with acting_as(None, None):
            logins = seed_consortium()
            people = seed_people()
            seed_teams()
            seed_follow_up()
            duplicates = seed_duplicates()
            appointments = seed_appointments()
            contracts = seed_contracts()
            notes = seed_notes()
            services, referrals = seed_offer()
        self.stdout.write(
            self.style.SUCCESS(
                f"Consortium de démonstration prêt : {people} personnes accompagnées, "
                f"dont {contracts} avec un contrat d'engagement ; {notes} notes ; {services} services, "
                f"{referrals} orientations vers des services."
            )
        )
        self.stdout.write(f"Rendez-vous de démonstration : {appointments}.")
        self.stdout.write(f"Doublons probables à examiner par les coordinateurs : {duplicates}.")
        self.stdout.write("")
        self.stdout.write(f"Identifiants de démonstration (mot de passe commun : {DEMO_PASSWORD})")
        width = max(len(email) for email, _, _ in logins)
        for email, structure, job in logins:
            self.stdout.write(f"  {email.ljust(width)}  {job} – {structure}")
