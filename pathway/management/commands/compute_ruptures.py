import time

from django.core.management.base import BaseCommand

from audit.context import acting_as
from pathway import ruptures
from pathway.alert_tasks import next_run, schedule_next


class Command(BaseCommand):
    help = (
        "Calcule les alertes de rupture de tout le département (idempotent : une seconde exécution le même jour ne "
        "change rien). À lancer chaque jour par cron quand aucun processus de tâches de fond ne tourne."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="programmer le calcul quotidien dans la file des tâches de fond au lieu de le faire maintenant",
        )

    def handle(self, *args, **options):
        if options["schedule"]:
            scheduled = schedule_next()
            when = f"{next_run():%d/%m/%Y à %H:%M}"
            self.stdout.write(
                f"Calcul quotidien programmé le {when}." if scheduled else "Le calcul quotidien est déjà programmé."
            )
            return
        started = time.perf_counter()
        with acting_as(None, None):
            summary = ruptures.compute()
        for rule in ruptures.rules():
            if rule.key in summary:
                counts = summary[rule.key]
                self.stdout.write(f"  {rule.label} : {counts['opened']} ouverte(s), {counts['resolved']} levée(s)")
            else:
                self.stdout.write(f"  {rule.label} : pas encore calculée ({rule.not_yet})")
        self.stdout.write(
            self.style.SUCCESS(f"Alertes de rupture calculées en {time.perf_counter() - started:.1f} s.")
        )
