"""The offer's daily work: remind the receiving structures of referrals still unanswered after some days (or a few
days before their deadline, for a service that answers within fewer days), expire those past their response time,
and point out to structures the services they have not confirmed for months."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from offer import actions
from offer.models import Referral, Service

# How many days before its deadline a referral is reminded when its service answers too quickly for the reminder
# ``RELAIS_REFERRAL_REMINDER_DAYS`` after it was sent.
REMINDER_BEFORE_DUE_DAYS = 3


@dataclass
class Report:
    reminded: int = 0
    expired: int = 0
    services_to_confirm: int = 0

    def lines(self):
        return [
            f"Orientations relancées : {self.reminded}",
            f"Orientations expirées : {self.expired}",
            f"Services à confirmer signalés : {self.services_to_confirm}",
        ]


def due(today=None):
    """What the daily run would do today: (referrals to remind, referrals to expire, services to point out)."""
    today = today or timezone.localdate()
    awaiting = Referral.objects.filter(status__in=Referral.AWAITING)
    reminder_before = timezone.make_aware(
        datetime.datetime.combine(
            today - datetime.timedelta(days=settings.RELAIS_REFERRAL_REMINDER_DAYS), datetime.time.max
        )
    )
    # A service that answers within 10 days or fewer would expire before that reminder: it is reminded a few days
    # before its deadline instead, and never on the day the referral was sent.
    sent_before_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    short_notice = Q(
        due_on__lte=today + datetime.timedelta(days=REMINDER_BEFORE_DUE_DAYS), sent_at__lt=sent_before_today
    )
    to_remind = awaiting.filter(reminded_at__isnull=True, due_on__gte=today).filter(
        Q(sent_at__lte=reminder_before) | short_notice
    )
    to_expire = awaiting.filter(due_on__lt=today)
    services = Service.objects.filter(
        source="",
        status=Service.Status.PUBLISHED,
        confirmation_reminded_at__isnull=True,
        updated_at__lte=actions.confirmation_due_before(),
    )
    return to_remind.order_by("pk"), to_expire.order_by("pk"), services.order_by("pk")


def run(today=None):
    """Do it. Each step is an action: idempotent, so that a second run the same day does nothing more."""
    today = today or timezone.localdate()
    to_remind, to_expire, services = due(today)
    report = Report()
    for referral in to_expire.iterator():
        try:
            if actions.expire_referral(referral, today=today) is not None:
                report.expired += 1
        except actions.Conflict:
            continue  # Answered in the meantime.
    for referral in to_remind.iterator():
        report.reminded += actions.remind_referral(referral)
    for service in services.iterator():
        report.services_to_confirm += actions.remind_service_confirmation(service)
    return report
