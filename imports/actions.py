"""Deciding on a row set aside: the same person as a candidate (updated with the file's values), or another person
(created). The decision is remembered: the next file with this identity goes to the same person. Resuming a run
whose worker stopped."""

import datetime

from django.db import transaction
from django.utils import timezone

from imports.access import can_resume_run, can_see_run, reachable
from imports.engine import Engine, Row, get_profile
from imports.models import ImportedIdentity, ImportRow, ImportRun
from imports.tasks import run_import
from people.models import Person
from relais import secrets
from relais.actions import SYSTEM, ActionError, Conflict, after_commit, require, require_actor

DATE_FIELDS = ("birth_date", "rsa_since", "entered_at")


def _parsed(row):
    """The row set aside as the engine read it: its values, and those the engine supplied."""
    values = dict(row.values)
    defaulted = set(values.pop("defaulted", ()))
    for name in DATE_FIELDS:
        if values.get(name):
            values[name] = datetime.date.fromisoformat(values[name])
    values["nir"] = secrets.decrypt(row.values.get("nir", ""))
    return Row(row.line, values=values, defaulted=defaulted)


def decide_row(row, *, by, same_as=None):
    """``same_as``: the public id of the candidate who is the same person; ``None``: another person, created."""
    require_actor(by)
    require(by is SYSTEM or can_see_run(by, row.run))
    with transaction.atomic():
        row = ImportRow.objects.select_for_update().select_related("run__structure").get(pk=row.pk)
        if row.decided_at is not None or row.outcome != ImportRow.Outcome.SET_ASIDE:
            raise Conflict("Cette ligne a déjà été traitée : rechargez la page.")
        run = ImportRun.objects.select_for_update().get(pk=row.run_id)
        if not run.apply:
            raise ActionError(
                "Une simulation n'écrit rien : importez le fichier pour décider des lignes mises de côté."
            )
        profile = get_profile(run.profile_name, run.structure)
        if profile is None:
            raise ActionError(f"Le profil « {run.profile_name} » n'existe plus : la ligne ne peut être importée.")
        engine = Engine(run, profile=profile, by=by)
        parsed = _parsed(row)
        known = (
            ImportedIdentity.objects.filter(
                structure_id=run.structure_id, key=parsed.key, person__merged_into__isnull=True
            )
            .select_related("person")
            .first()
        )
        if known is not None:
            # This identity was decided meanwhile (the same row in another import of the structure): it is that
            # person, whatever this decision says, rather than a second record of the same identity.
            row.changed = engine.update(parsed, known.person_id)
            row.person = known.person
            row.outcome = ImportRow.Outcome.UPDATED if row.changed else ImportRow.Outcome.UNCHANGED
        elif same_as is not None:
            if str(same_as) not in {candidate["id"] for candidate in row.candidates}:
                raise ActionError("Cette personne ne fait pas partie des candidats de la ligne.")
            person = Person.objects.filter(public_id=same_as, merged_into__isnull=True).first()
            if person is None:
                raise ActionError("Cette personne n'existe plus (son dossier a été fusionné) : rechargez la page.")
            require(person.pk in reachable(by, run.structure_id, [person.pk]))
            row.changed = engine.update(parsed, person.pk)
            row.person = person
            row.outcome = ImportRow.Outcome.UPDATED if row.changed else ImportRow.Outcome.UNCHANGED
            ImportedIdentity.objects.update_or_create(
                structure_id=run.structure_id, key=parsed.key, defaults={"person": person}
            )
        else:
            if not parsed.values.get("commune_id"):
                raise ActionError("La commune de cette ligne est vide : la personne ne peut être créée.")
            row.person = engine.create(parsed)
            row.outcome = ImportRow.Outcome.CREATED
        row.values = {}
        row.candidates = []
        row.decided_at = timezone.now()
        row.decided_by = getattr(by, "user", None)
        row.save()
        run.set_aside -= 1
        setattr(run, row.outcome, getattr(run, row.outcome) + 1)
        run.save(update_fields=["set_aside", row.outcome])
    return row


def resume_run(run, *, by):
    """A run stuck mid-file (its worker was stopped) goes back to the task queue: it resumes after its last committed
    batch, so nothing is written twice. Should its first worker still be alive, each batch locks the run and the
    worker that finds its batch already done stops (``Engine.batch``)."""
    require_actor(by)
    require(by is SYSTEM or can_resume_run(by, run))
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.is_finished:
            raise Conflict("Cet import est terminé : rechargez la page.")
        if not run.is_stalled:
            raise Conflict("Cet import avance encore : il n'y a rien à reprendre pour l'instant.")
        if not run.file:
            raise ActionError("Le fichier de cet import n'est plus conservé : envoyez-le de nouveau.")
        run.progressed_at = timezone.now()
        run.save(update_fields=["progressed_at"])
        after_commit(run_import.enqueue, run.pk)
    return run
