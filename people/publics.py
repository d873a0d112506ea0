"""The publics of the orientation rules, as filters on people (one definition, used by every page and rule).

Who orients whom (Code du travail, art. L5411-5-1): the Département for RSA beneficiaries, the mission locale
for young people, Cap emploi for disabled people, France Travail for everyone else.
"""

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils import timezone

from accounts.models import OrientationPublic as Public

# Missions locales accompany young people aged 16 to 25 (Code du travail, art. L5314-2).
YOUNG_AGE_LIMIT = 26


def young_birth_date_after(today=None):
    """People born after this date are young (under ``YOUNG_AGE_LIMIT``)."""
    return (today or timezone.localdate()) - relativedelta(years=YOUNG_AGE_LIMIT)


def public_filter(public, prefix=""):
    """The people of one public, as a filter on Person (``prefix`` for a related model: ``"person__"``)."""
    young = Q(**{f"{prefix}birth_date__gt": young_birth_date_after()})
    rsa = Q(**{f"{prefix}rsa_since__isnull": False})
    disabled = Q(**{f"{prefix}rqth": True})
    parts = {Public.RSA: rsa, Public.YOUNG: young, Public.DISABLED: disabled, Public.OTHER: ~rsa & ~young & ~disabled}
    return parts.get(public, Q(pk__in=[]))


def publics_filter(publics, prefix=""):
    """The people of any of ``publics`` (no public: everyone)."""
    if not publics:
        return Q()
    condition = Q(pk__in=[])
    for public in publics:
        condition |= public_filter(public, prefix)
    return condition
