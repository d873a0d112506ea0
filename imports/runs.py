"""Starting and carrying out a run: the one path the upload page (through the task queue) and the command take."""

from django.conf import settings
from django.db import transaction

from imports.engine import Engine, get_profile
from imports.models import ImportRun
from imports.readers import UnreadableFile, open_table
from relais.actions import SYSTEM, ActionError


def size_message(size):
    limit = settings.IMPORT_MAX_BYTES
    return (
        f"Le fichier pèse {size / 1_000_000:.1f} Mo : la limite est de {limit / 1_000_000:.0f} Mo. "
        "Découpez-le en plusieurs fichiers ou demandez à votre coordinateur de relever la limite."
    ).replace(".", ",", 1)


def check_size(size):
    if size > settings.IMPORT_MAX_BYTES:
        raise ActionError(size_message(size))


def carry_out(run, binary, *, by, progress=None):
    """Read ``binary`` (the run's file) to the end; a file that is no table fails the run with its message."""
    profile = get_profile(run.profile_name, run.structure)
    if profile is None:
        run.status, run.error = ImportRun.Status.FAILED, f"Le profil « {run.profile_name} » n'existe pas."
        run.save()
        return run
    try:
        engine = Engine(run, profile=profile, by=by)
        table = open_table(binary, run.file_name, names_columns=engine.names_the_columns)
        engine.execute(table, progress=progress)
    except (UnreadableFile, ActionError) as error:
        with transaction.atomic():
            run.refresh_from_db()
            run.status, run.error = ImportRun.Status.FAILED, str(error)
            run.save()
    return run


def run_by(run):
    """The actor of a run: the membership that started it, or SYSTEM for a command run without one."""
    return run.membership if run.membership_id else SYSTEM
