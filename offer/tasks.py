"""Background work of the offer, on the database-backed task queue."""

from django_tasks import task

from offer import deadlines


@task()
def run_deadlines():
    """The daily run (reminders, expiries, services to confirm); enqueue it once a day."""
    return deadlines.run().lines()
