"""Limits on login attempts and password reset requests, per account and per network (and on the public requests
to join Relais, per network).

An attempt first takes a slot in the counters, in one transaction that locks their rows: a request that
finds a counter at its limit is refused without its password being looked at. Parallel requests thus
queue on the row and are counted one by one: thirty attempts sent at once get no more tries than thirty
sent one after the other. A successful login gives its slots back (the account's counter is cleared).

Counters are keyed by a keyed hash of the email or of the IP address, so neither is stored in clear; an
email without an account is counted like any other, so that the answers never tell whether it exists.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Throttle

Scope = Throttle.Scope


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is refused (``"account"`` or ``"network"``), and for how long."""

    reason: str
    retry_after: timedelta

    @property
    def minutes(self):
        return max(1, -(-int(self.retry_after.total_seconds()) // 60))


@dataclass(frozen=True)
class Limit:
    scope: str
    digest: str
    maximum: int
    period: timedelta
    reason: str


def _digest(purpose, value):
    return hmac.new(settings.SECRET_KEY.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def email_digest(email):
    return _digest("email", (email or "").strip().lower())


def ip_digest(ip):
    return _digest("ip", ip or "")


def client_ip(request):
    """The address the request came from: the one the outermost trusted proxy saw, when there are proxies.

    Each proxy appends the address it received the request from to X-Forwarded-For; what a client writes
    there itself comes first, so only the last ``RELAIS_TRUSTED_PROXIES`` entries are believed.
    """
    proxies = settings.RELAIS_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-min(proxies, len(forwarded))]
    return request.META.get("REMOTE_ADDR", "")


def _login_limits(email, ip):
    # Always in this order (network, then account), so that two transactions never wait on each other.
    return [
        Limit(
            Scope.LOGIN_IP,
            ip_digest(ip),
            settings.RELAIS_LOGIN_MAX_FAILURES_PER_IP,
            settings.RELAIS_LOGIN_IP_WINDOW,
            "network",
        ),
        Limit(
            Scope.LOGIN_EMAIL,
            email_digest(email),
            settings.RELAIS_LOGIN_MAX_FAILURES,
            settings.RELAIS_LOGIN_LOCKOUT,
            "account",
        ),
    ]


def _reset_limits(email, ip):
    period = settings.RELAIS_PASSWORD_RESET_WINDOW
    return [
        Limit(Scope.RESET_IP, ip_digest(ip), settings.RELAIS_PASSWORD_RESET_MAX_PER_IP, period, "network"),
        Limit(Scope.RESET_EMAIL, email_digest(email), settings.RELAIS_PASSWORD_RESET_MAX_PER_EMAIL, period, "account"),
    ]


def _take(limits):
    """Take one slot in every counter, or none if one of them is at its limit (then say which and how long).

    The rows are locked for the whole check-and-increment: a parallel request waits, then sees the count
    this one left. A period starts with the first attempt; reaching the limit starts it again, so that
    the refusal lasts a whole period after the last attempt allowed.
    """
    now = timezone.now()
    with transaction.atomic():
        Throttle.objects.bulk_create(
            [Throttle(scope=limit.scope, digest=limit.digest, since=now) for limit in limits], ignore_conflicts=True
        )
        rows = []
        for limit in limits:
            row = Throttle.objects.select_for_update().get(scope=limit.scope, digest=limit.digest)
            if row.since <= now - limit.period:
                row.count, row.since = 0, now
            if row.count >= limit.maximum:
                return Refusal(limit.reason, row.since + limit.period - now)
            rows.append((row, limit))
        for row, limit in rows:
            # The row is locked: the count read above is the one to increment.
            row.count += 1
            if row.count >= limit.maximum:
                row.since = now
            row.save(update_fields=["count", "since"])
    return None


def begin_login(email, ip):
    """Count a login attempt before its password is checked. Returns a ``Refusal``, or None to go on.

    The attempt counts as a failure until ``login_succeeded`` says otherwise.
    """
    refusal = _take(_login_limits(email, ip))
    if refusal is None:
        _forget_old_counters()
    return refusal


def login_succeeded(email, ip):
    """The password was right: the account's failures are forgotten and the network gets its slot back."""
    Throttle.objects.filter(scope=Scope.LOGIN_EMAIL, digest=email_digest(email)).delete()
    Throttle.objects.filter(scope=Scope.LOGIN_IP, digest=ip_digest(ip), count__gt=0).update(count=F("count") - 1)


def begin_password_reset(email, ip):
    """Count a password reset request, for an existing account or not. Returns a ``Refusal``, or None."""
    return _take(_reset_limits(email, ip))


def begin_join_request(ip):
    """Count a request to join Relais (a public form) from a network. Returns a ``Refusal``, or None."""
    limit = Limit(
        Scope.JOIN_IP,
        ip_digest(ip),
        settings.RELAIS_JOIN_REQUESTS_PER_IP,
        settings.RELAIS_JOIN_REQUEST_WINDOW,
        "network",
    )
    return _take([limit])


def _forget_old_counters():
    # Counters past every period are no longer useful: keep the table small.
    longest = max(
        settings.RELAIS_LOGIN_LOCKOUT,
        settings.RELAIS_LOGIN_IP_WINDOW,
        settings.RELAIS_PASSWORD_RESET_WINDOW,
        settings.RELAIS_JOIN_REQUEST_WINDOW,
    )
    Throttle.objects.filter(since__lt=timezone.now() - 2 * longest).delete()
