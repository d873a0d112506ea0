"""Individual notifications of professionals: each chooses to receive them at once or in a daily digest.

``notify(user, subject=..., body=..., path=...)`` is called by actions inside their transaction: the message is
stored, and sent after the commit when the professional wants it at once; ``send_digests()`` (daily, see
docs/deploy.md) sends the others grouped in one email per professional. Links use ``SITE_URL``.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import User, UserNotification
from relais.actions import after_commit

logger = logging.getLogger(__name__)


def notify(user, *, subject, body, path=""):
    """Tell ``user`` (a professional); never the person accompanied's name in ``subject``."""
    if user is None or not user.is_active:
        return None
    notification = UserNotification(user=user, subject=subject[:200], body=body, url=path[:300])
    notification.save()
    if user.notification_frequency == User.NotificationFrequency.IMMEDIATE:
        after_commit(send_now, notification.pk)
    return notification


def _link(notification):
    return f"{settings.SITE_URL}{notification.url}" if notification.url else settings.SITE_URL


def send_now(notification_id):
    notification = UserNotification.objects.select_related("user").get(pk=notification_id)
    if notification.sent_at is not None:
        return
    try:
        send_mail(
            f"Relais – {notification.subject}",
            f"{notification.body}\n\n{_link(notification)}\n\nRelais",
            None,
            [notification.user.email],
        )
    except (OSError, smtplib.SMTPException):
        logger.exception("Échec de l'envoi d'une notification")  # kept unsent: the digest will carry it
        return
    notification.sent_at = timezone.now()
    notification.save(update_fields=["sent_at"])


def send_digests():
    """One email per professional with every notification not yet sent. Returns how many emails were sent."""
    pending = (
        UserNotification.objects.filter(sent_at__isnull=True, user__is_active=True)
        .select_related("user")
        .order_by("user_id", "created_at")
    )
    by_user = {}
    for notification in pending:
        by_user.setdefault(notification.user, []).append(notification)
    sent = 0
    for user, notifications in by_user.items():
        lines = [f"- {item.subject} : {item.body}\n  {_link(item)}" for item in notifications]
        count = len(notifications)
        try:
            send_mail(
                f"Relais – {count} notification{'s' if count > 1 else ''}",
                "Bonjour,\n\nVoici ce qui vous concerne dans Relais :\n\n" + "\n".join(lines) + "\n\nRelais",
                None,
                [user.email],
            )
        except (OSError, smtplib.SMTPException):
            logger.exception("Échec de l'envoi d'un récapitulatif")
            continue
        with transaction.atomic():
            UserNotification.objects.filter(pk__in=[item.pk for item in notifications]).update(sent_at=timezone.now())
        sent += 1
    return sent
