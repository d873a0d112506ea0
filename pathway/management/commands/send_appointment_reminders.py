"""Daily: remind each person of their appointment a day or two before it (docs/deploy.md, « Tâches quotidiennes »)."""

from django.core.management.base import BaseCommand

from audit.context import acting_as
from pathway.appointment_actions import due_reminders, send_reminders


class Command(BaseCommand):
    help = (
        "Envoie le rappel des rendez-vous des prochaines 48 heures (RELAIS_APPOINTMENT_REMINDER_HOURS), une fois "
        "par rendez-vous. À lancer chaque jour ; une seconde exécution n'envoie rien de plus."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compter les rappels à envoyer sans les envoyer.")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            self.stdout.write(f"{due_reminders().count()} rendez-vous à rappeler (rien n'est envoyé).")
            return
        with acting_as(None, None):
            sent = send_reminders()
        self.stdout.write(self.style.SUCCESS(f"{sent} rappel(s) de rendez-vous envoyé(s)."))
