"""Import a partner's list: ``manage.py import_people FILE --profile rsa --structure SIRET [--apply]``.

Without ``--apply`` nothing is written but the report (a dry run). The same engine serves the upload page.
"""

import csv
import sys
import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.models import Membership, Structure
from audit.context import acting_as
from imports.engine import get_profile
from imports.fields import PROFILES
from imports.models import ImportRun
from imports.report import report_rows
from imports.runs import carry_out, check_size
from relais.actions import SYSTEM, ActionError
from relais.cells import safe_row


class Command(BaseCommand):
    help = "Importe une liste de personnes (CSV ou XLSX) ; sans --apply, simulation : rien n'est écrit."

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier CSV ou XLSX")
        parser.add_argument("--profile", required=True, help=f"profil : {', '.join(PROFILES)} ou un profil enregistré")
        parser.add_argument("--structure", required=True, help="SIRET de la structure qui importe")
        parser.add_argument("--user", default="", help="adresse du professionnel au nom duquel importer")
        parser.add_argument("--apply", action="store_true", help="écrire (sans : simulation)")
        parser.add_argument("--report", default="", help="écrire le rapport ligne à ligne dans ce fichier CSV")
        parser.add_argument("--resume", default="", help="identifiant d'un import interrompu à reprendre")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Le fichier {path} n'existe pas.")
        structure = Structure.objects.filter(siret=options["structure"].replace(" ", "")).first()
        if structure is None:
            raise CommandError(f"Aucune structure n'a le SIRET {options['structure']}.")
        if get_profile(options["profile"], structure) is None:
            raise CommandError(f"Le profil « {options['profile']} » n'existe pas : {', '.join(PROFILES)}.")
        by = SYSTEM
        if options["user"]:
            by = Membership.objects.filter(
                structure=structure, user__email__iexact=options["user"], is_active=True
            ).first()
            if by is None:
                raise CommandError(f"{options['user']} n'est pas membre actif de {structure.name}.")
        try:
            check_size(path.stat().st_size)
        except ActionError as error:
            raise CommandError(str(error)) from None
        if options["resume"]:
            try:
                public_id = uuid.UUID(options["resume"])
            except ValueError:
                raise CommandError(f"« {options['resume']} » n'est pas l'identifiant d'un import.") from None
            run = ImportRun.objects.filter(public_id=public_id, structure=structure).first()
            if run is None:
                raise CommandError("Aucun import de cette structure n'a cet identifiant.")
            if run.is_finished:
                raise CommandError("Cet import est terminé : il n'y a rien à reprendre. Lancez un nouvel import.")
        else:
            run = ImportRun.objects.create(
                structure=structure,
                started_by=getattr(by, "user", None),
                membership=by if by is not SYSTEM else None,
                profile_name=options["profile"],
                file_name=path.name,
                apply=options["apply"],
                size=path.stat().st_size,
            )
        with path.open("rb") as binary, acting_as(getattr(by, "user", None), structure):
            try:
                carry_out(run, binary, by=by, progress=lambda run: self.stderr.write(f"{run.processed} lignes…"))
            except ActionError as error:
                raise CommandError(str(error)) from None
        self.summary(run)
        if options["report"]:
            with open(options["report"], "w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out, delimiter=";")
                for values in report_rows(run):
                    writer.writerow(safe_row(values))
        if run.status == ImportRun.Status.FAILED:
            sys.exit(1)

    def summary(self, run):
        mode = "Import" if run.apply else "Simulation (rien n'a été écrit ; --apply pour importer)"
        self.stdout.write(f"{mode} : {run.file_name} — {run.file_kind or 'illisible'}")
        if run.error:
            self.stdout.write(self.style.ERROR(run.error))
            return
        self.stdout.write(
            f"créées : {run.created}, mises à jour : {run.updated}, inchangées : {run.unchanged}, "
            f"mises de côté : {run.set_aside}, rejetées : {run.rejected}"
            + (f" ; dont {run.left_out} avec une valeur non reprise" if run.left_out else "")
        )
        if run.ignored_columns:
            self.stdout.write(f"Colonnes ignorées : {', '.join(run.ignored_columns)}")
        # The rows refused, and those taken in with a value left out.
        said = run.rows.filter(Q(outcome="rejected") | ~Q(reason=""))
        for row in said.order_by("line")[:50]:
            column = f" (colonne « {row.column} »)" if row.column else ""
            self.stdout.write(f"ligne {row.line}{column} : {row.reason}")
        self.stdout.write(f"Identifiant de l'import : {run.public_id}")
