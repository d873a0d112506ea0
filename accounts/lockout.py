"""Lockout after repeated failed logins on one account, whether or not the account exists."""

from django.conf import settings
from django.utils import timezone

from accounts.models import LoginFailure, email_digest


def is_locked(email):
    since = timezone.now() - settings.RELAIS_LOGIN_LOCKOUT
    recent = LoginFailure.objects.filter(email_digest=email_digest(email), at__gte=since).count()
    return recent >= settings.RELAIS_LOGIN_MAX_FAILURES


def record_failure(email):
    LoginFailure.objects.create(email_digest=email_digest(email))
    # Old failures are no longer useful: keep the table small.
    LoginFailure.objects.filter(at__lt=timezone.now() - 4 * settings.RELAIS_LOGIN_LOCKOUT).delete()


def clear_failures(email):
    LoginFailure.objects.filter(email_digest=email_digest(email)).delete()
