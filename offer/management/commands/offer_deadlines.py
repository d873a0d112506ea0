from django.core.management.base import BaseCommand

from offer import deadlines


class Command(BaseCommand):
    help = (
        "Relance les structures sur les orientations sans réponse, fait expirer celles dont le délai est passé "
        "et signale les services non confirmés depuis longtemps. À lancer chaque jour. Sans --apply : ce qui "
        "serait fait, sans rien changer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="faire les relances et les expirations")
        parser.add_argument("--enqueue", action="store_true", help="confier le travail à la file de tâches")

    def handle(self, *args, **options):
        if options["enqueue"]:
            from offer.tasks import run_deadlines

            result = run_deadlines.enqueue()
            self.stdout.write(f"Tâche confiée à la file ({result.id}).")
            return
        if not options["apply"]:
            to_remind, to_expire, services = deadlines.due()
            self.stdout.write("Simulation (ajoutez --apply pour agir) :")
            self.stdout.write(f"  Orientations à relancer : {to_remind.count()}")
            self.stdout.write(f"  Orientations à faire expirer : {to_expire.count()}")
            self.stdout.write(f"  Services à confirmer à signaler : {services.count()}")
            return
        for line in deadlines.run().lines():
            self.stdout.write(line)
