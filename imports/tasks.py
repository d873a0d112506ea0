"""The imports' background work, for the task queue (``manage.py db_worker``)."""

from django_tasks import task

from audit.context import acting_as
from imports.models import ImportRun
from imports.runs import carry_out, run_by


@task()
def run_import(run_id):
    """Carry a run out from its stored file; a run killed meanwhile resumes after its last committed batch. The
    file is deleted once the run is over: the report keeps what each row became."""
    run = ImportRun.objects.select_related("structure", "membership__user", "membership__structure").get(pk=run_id)
    if run.is_finished:
        return run.status
    by = run_by(run)
    with acting_as(getattr(by, "user", None), run.structure), run.file.open("rb") as binary:
        carry_out(run, binary, by=by)
    if run.is_finished:
        run.file.delete(save=False)
        run.file = ""
        run.save(update_fields=["file"])
    return run.status
