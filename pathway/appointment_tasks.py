"""The appointments' background work, for the task queue (``manage.py db_worker``)."""

from django_tasks import task

from audit.context import acting_as
from pathway.appointment_actions import send_reminders


@task()
def send_appointment_reminders():
    """The daily reminders, enqueued by a scheduler instead of the command (same work, same idempotence)."""
    with acting_as(None, None):
        return send_reminders()
