"""The people's background work, for the task queue (``manage.py db_worker``)."""

from django_tasks import task

from audit.context import acting_as
from people.duplicates import run_scan
from people.models import DuplicateScan


@task()
def find_duplicates(scan_id):
    """Compute the probable duplicates across the département (asked by a coordinator)."""
    scan = DuplicateScan.objects.filter(pk=scan_id, finished_at__isnull=True).first()
    if scan is None:
        return 0
    with acting_as(None, None):
        return run_scan(scan).pairs_found
