from django.core.management.base import BaseCommand

from accounts.notifications import send_digests


class Command(BaseCommand):
    help = "Envoie à chaque professionnel le récapitulatif de ses notifications non encore envoyées (quotidien)."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"{sent} récapitulatif{'s' if sent > 1 else ''} envoyé{'s' if sent > 1 else ''}.")
