"""The daily computation of the rupture alerts, in the background task queue.

Each run computes every rule over the whole département, then schedules the next one for the next
``RELAIS_RUPTURE_DAILY_HOUR`` (Europe/Paris); ``migrate`` schedules the first one (``schedule_next``, connected in
``PathwayConfig.ready``), so that a worker (``make run`` starts one, production runs ``db_worker``) computes the
alerts every day with no other step. Without a worker, a daily cron calls ``manage.py compute_ruptures``.
"""

import datetime
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from pathway import ruptures

logger = logging.getLogger(__name__)


@task()
def compute_ruptures_daily():
    try:
        summary = ruptures.compute()
        logger.info("Alertes de rupture calculées : %s", summary)
        return summary
    finally:
        schedule_next()


def next_run(now=None):
    """The next daily hour, in the local time zone."""
    now = timezone.localtime(now)
    run = now.replace(hour=settings.RELAIS_RUPTURE_DAILY_HOUR, minute=0, second=0, microsecond=0)
    if run <= now:
        run = timezone.localtime(run + datetime.timedelta(days=1)).replace(hour=settings.RELAIS_RUPTURE_DAILY_HOUR)
    return run


def _waiting():
    """Runs already in the queue, not yet started (a database queue only: other backends keep no queue)."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=compute_ruptures_daily.module_path, status=TaskResultStatus.READY)


def schedule_next(*, now=None):
    """Put the next daily run in the queue unless one is waiting. Only a queue that keeps tasks for later (the
    database queue) is scheduled; elsewhere (the tests' immediate backend) nothing is. Returns the task or None."""
    backend = compute_ruptures_daily.get_backend()
    if not backend.supports_defer:
        return None
    if type(backend).__name__ == "DatabaseBackend" and _waiting().exists():
        return None
    return compute_ruptures_daily.using(run_after=next_run(now)).enqueue()


def schedule_after_migrate(sender, using="default", **kwargs):
    """``post_migrate``: the database can hold the queue now; make sure the daily run is in it."""
    try:
        schedule_next()
    except Exception:  # A migrate must never fail because of the queue.
        logger.exception("Programmation du calcul quotidien des alertes de rupture : échec")
